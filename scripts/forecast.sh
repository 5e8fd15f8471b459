#!/usr/bin/env bash
# Forecasts a plan from the cost job's published tables (the forecast worksheet, local[*], through
# SparkSubmit): measured iteration factor and cost per approved asset per workflow over a trailing window,
# the seed guides' planning factors beside them, a spread and a budget with a buffer, each plan row checked
# (budget against its P90, unknown workflow, the window the data covers, the tier its pace needs). Prints the
# worksheet on stdout and writes it as forecast.txt beside forecast.csv, with its page forecast.html.
#
#   scripts/forecast.sh [--plan FILE] [--tables DIR] [--as-of D] [--trailing-days 28] [--buffer 0.2]
#                       [--min-approvals 10] [--rate-limits FILE] [--account-tier T] [--out DIR]
#
# With no options it forecasts sample-data/plan.csv from out/ (the cost job is run first when out/ has no
# tables) into out/forecast.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

plan="$ROOT/sample-data/plan.csv"
tables="$ROOT/out"
out="$ROOT/out/forecast"
tables_given=0
rest=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --plan) plan="$(option_value "$@")"; shift 2 ;;
    --tables) tables="$(option_value "$@")"; tables_given=1; shift 2 ;;
    --out) out="$(option_value "$@")"; shift 2 ;;
    *) rest+=("$1"); shift ;;
  esac
done

if [[ $tables_given == 0 && ! -d "$tables/asset_costs" ]]; then
  echo "no cost tables in $tables: running scripts/run-local.sh first" >&2
  "$ROOT/scripts/run-local.sh" --out "$tables"
fi
assetcost_build
assetcost_submit io.assetcost.forecast.ForecastJob \
  --plan "$plan" --tables "$tables" --out "$out" ${rest[@]+"${rest[@]}"}
