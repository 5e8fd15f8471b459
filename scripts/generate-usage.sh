#!/usr/bin/env bash
# Generates usage logs and acceptance records at any size, deterministically (same seed, same records),
# with a Spark job of the tools jar (io.assetcost.tools.UsageGenerator) on this machine.
#
#   scripts/generate-usage.sh --requests N [--days D] [--workflows W] [--seed S] --out DIR
#                             [--formats jsonl,parquet] [--records-per-chunk R]
#
# Writes DIR/usage-jsonl (nested usage log), DIR/usage-parquet (flat export), DIR/acceptance (CSV) and
# DIR/generated.json. About 600 bytes a record as JSON Lines and 40 as Parquet.
# Environment: ASSETCOST_DRIVER_MEMORY (default 4g), ASSETCOST_MASTER (default local[*]).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
assetcost_build
ASSETCOST_APP_JAR="$TOOLS_JAR" ASSETCOST_DRIVER_MEMORY="${ASSETCOST_DRIVER_MEMORY:-4g}" assetcost_submit io.assetcost.tools.UsageGenerator "$@"
