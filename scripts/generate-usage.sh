#!/usr/bin/env bash
# Generates usage logs and acceptance records at any size, deterministically (same seed, same records),
# with a Spark job of the tools jar (io.assetcost.tools.UsageGenerator) on this machine.
#
#   scripts/generate-usage.sh --requests N [--days D] [--workflows W] [--seed S] --out DIR
#                             [--formats jsonl,parquet[,batch,litellm,langfuse]] [--records-per-chunk R]
#
# Writes DIR/usage-jsonl (nested usage log), DIR/usage-parquet (flat export), DIR/acceptance (CSV) and
# DIR/generated.json. About 600 bytes a record as JSON Lines and 40 as Parquet. The exports the job also
# reads (docs/usage-formats/): DIR/usage-batch (OpenAI Batch files, a batch per day and endpoint) with
# DIR/usage-batch-twin, DIR/usage-litellm (LiteLLM spend-log rows) with DIR/usage-litellm-twin, and
# DIR/usage-langfuse (Langfuse generations), whose twin is usage-jsonl: each twin is the same requests as
# the usage log says what that export can say (scripts/bench.sh, header).
# Environment: ASSETCOST_DRIVER_MEMORY (default 4g), ASSETCOST_MASTER (default local[*]).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
assetcost_build
ASSETCOST_APP_JAR="$TOOLS_JAR" ASSETCOST_DRIVER_MEMORY="${ASSETCOST_DRIVER_MEMORY:-4g}" assetcost_submit io.assetcost.tools.UsageGenerator "$@"
