#!/usr/bin/env bash
# Closes a billing month: spend by project, model and meter, reconciled against the provider's billed
# costs, and a FinOps FOCUS 1.2 export (the reconciliation job, local[*], through SparkSubmit).
#
#   scripts/reconcile.sh [--month YYYY-MM] [--tables DIR] [--costs PATH] [--out DIR] [other job options]
#
# With no options it closes 2026-11 on the sample data: --tables out (the cost job's output; the cost job
# is run first when out/ has no tables), --costs sample-data/costs, --out out/finance.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

month="2026-11"
tables="$ROOT/out"
costs="$ROOT/sample-data/costs"
out="$ROOT/out/finance"
tables_given=0
rest=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --month) month="$(option_value "$@")"; shift 2 ;;
    --tables) tables="$(option_value "$@")"; tables_given=1; shift 2 ;;
    --costs) costs="$(option_value "$@")"; shift 2 ;;
    --out) out="$(option_value "$@")"; shift 2 ;;
    *) rest+=("$1"); shift ;;
  esac
done

if [[ $tables_given == 0 && ! -d "$tables/request_costs" ]]; then
  echo "no cost tables in $tables: running scripts/run-local.sh first" >&2
  "$ROOT/scripts/run-local.sh" --out "$tables"
fi
assetcost_build
assetcost_submit io.assetcost.finance.ReconcileJob \
  --month "$month" --tables "$tables" --costs "$costs" --out "$out" ${rest[@]+"${rest[@]}"}
