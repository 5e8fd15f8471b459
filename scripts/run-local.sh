#!/usr/bin/env bash
# Runs the cost job on this machine (local[*]) through Spark's own SparkSubmit, exactly as
# spark-submit would run the same jar on a cluster.
#
#   scripts/run-local.sh [--usage PATH] [--acceptance PATH] [--rates FILE] [--out DIR] [other job options]
#
# With no options it rebuilds out/ from sample-data/ (--full: the sample is two weeks of the past); give
# --run-date D for a nightly run of date D. Exit status is the job's (0 to 6: README, "Exit codes").
# Environment: ASSETCOST_DRIVER_MEMORY (default 2g), ASSETCOST_MASTER (default local[*]).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage="$ROOT/sample-data/usage"
acceptance="$ROOT/sample-data/acceptance"
out="$ROOT/out"
rest=()
mode=(--full)
usage_help() {
  cat <<'TEXT'
Usage: scripts/run-local.sh [--usage PATH] [--acceptance PATH] [--out DIR] [job options]

Runs the cost job on this machine (local[*]) through Spark's SparkSubmit, exactly as spark-submit runs the
jar on a cluster. Defaults here (the jar itself requires --usage, --acceptance and --out):
  --usage PATH        sample-data/usage
  --acceptance PATH   sample-data/acceptance
  --out DIR           out/
  --full              on, unless --run-date is given (the sample is two weeks of the past)
Environment: ASSETCOST_DRIVER_MEMORY (2g), ASSETCOST_MASTER (local[*]), ASSETCOST_SHUFFLE_PARTITIONS (unset:
the cost job sizes spark.sql.shuffle.partitions from its input).

Job options (README, "Command line"):
TEXT
}

while [[ $# -gt 0 ]]; do
  case "$1" in
    -h|--help)
      usage_help
      assetcost_build
      java -cp "$JAR:$SPARK_CP" io.assetcost.CostJob --help | sed -n '/^ \{1,8\}-/,$p'
      exit 0 ;;
    --usage) usage="$(option_value "$@")"; shift 2 ;;
    --acceptance) acceptance="$(option_value "$@")"; shift 2 ;;
    --out) out="$(option_value "$@")"; shift 2 ;;
    --usage=*) usage="${1#*=}"; shift ;;
    --acceptance=*) acceptance="${1#*=}"; shift ;;
    --out=*) out="${1#*=}"; shift ;;
    --run-date|--run-date=*|--full) mode=(); rest+=("$1"); shift ;;
    *) rest+=("$1"); shift ;;
  esac
done

assetcost_build
assetcost_submit io.assetcost.CostJob \
  --usage "$usage" --acceptance "$acceptance" --out "$out" ${mode[@]+"${mode[@]}"} ${rest[@]+"${rest[@]}"}
