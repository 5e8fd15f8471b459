#!/usr/bin/env bash
# The floor under the cost job on Spark (tools/SparkFloor; docs/PERFORMANCE.md, "The floor"): read the usage
# Parquet export and the acceptance CSV files, price with one exact expression, write request_costs and
# asset_costs, none of the job's rules. Run as scripts/bench.sh runs the job (local[2], 4 GiB heap, no
# class-data-sharing archive) unless ASSETCOST_MASTER, ASSETCOST_DRIVER_MEMORY or ASSETCOST_CDS say otherwise.
# Prints one line; time the script for the wall seconds to set beside bench.sh's.
#
#   time scripts/floor.sh USAGE_PARQUET_DIR ACCEPTANCE_DIR OUT_DIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
[[ $# == 3 ]] || { echo "usage: scripts/floor.sh USAGE_PARQUET_DIR ACCEPTANCE_DIR OUT_DIR" >&2; exit 2; }
assetcost_build
export ASSETCOST_MASTER="${ASSETCOST_MASTER:-local[2]}" ASSETCOST_DRIVER_MEMORY="${ASSETCOST_DRIVER_MEMORY:-4g}"
export ASSETCOST_CDS="${ASSETCOST_CDS:-0}"
ASSETCOST_APP_JAR="$TOOLS_JAR" assetcost_submit io.assetcost.tools.SparkFloor "$@"
