#!/usr/bin/env bash
# The cost job's usage step built up rung by rung (tools/UsageLadder; docs/PERFORMANCE.md, "Against round
# three's targets"): Spark's read of the usage files (the job's own formats), then the canonical rows, the copies' aggregate,
# the record rules, the prices, the narrow shuffle, the checkpoint and the verdicts and counts, each timed on the
# same data in one JVM, REPETITIONS times (default 3). Run as scripts/bench.sh runs the job (local[2], 4 GiB
# heap, no class-data-sharing archive) unless ASSETCOST_MASTER, ASSETCOST_DRIVER_MEMORY or ASSETCOST_CDS say
# otherwise. Prints a Markdown table; the acceptance directory only sizes the shuffle partitions as the job does.
#
#   scripts/ladder.sh USAGE_DIR ACCEPTANCE_DIR WORK_DIR [REPETITIONS]
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
[[ $# == 3 || $# == 4 ]] || {
  echo "usage: scripts/ladder.sh USAGE_DIR ACCEPTANCE_DIR WORK_DIR [REPETITIONS]" >&2
  exit 2
}
assetcost_build
export ASSETCOST_MASTER="${ASSETCOST_MASTER:-local[2]}" ASSETCOST_DRIVER_MEMORY="${ASSETCOST_DRIVER_MEMORY:-4g}"
export ASSETCOST_CDS="${ASSETCOST_CDS:-0}"
ASSETCOST_APP_JAR="$TOOLS_JAR" assetcost_submit io.assetcost.tools.UsageLadder "$@"
