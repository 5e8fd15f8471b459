#!/usr/bin/env bash
# Closes a billing month: spend by project, model and meter, reconciled against the provider's billed
# costs per day, project, model and meter (dollars and tokens), the logs' coverage against the Usage API, and
# a FinOps FOCUS 1.4 export (1.3 and 1.2 selectable; the reconciliation job, local[*], through SparkSubmit).
#
#   scripts/reconcile.sh [--month YYYY-MM] [--tables DIR] [--costs PATH] [--usage-api PATH] [--out DIR]
#                        [--billing-account-id ID] [--billing-account-name NAME] [other job options]
#
# With no options it closes 2026-11 on the sample data: --tables out (the cost job's output; the cost job
# is run first when out/ has no tables), --costs sample-data/costs, --usage-api sample-data/usage-api,
# --out out/finance, and the sample's billing account (org-sample, "Sample Org"): the job itself requires
# --billing-account-id and --billing-account-name, so give your organization's.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

month="2026-11"
tables="$ROOT/out"
costs="$ROOT/sample-data/costs"
usage_api="$ROOT/sample-data/usage-api"
out="$ROOT/out/finance"
account_id="org-sample"
account_name="Sample Org"
tables_given=0
rest=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --month) month="$(option_value "$@")"; shift 2 ;;
    --tables) tables="$(option_value "$@")"; tables_given=1; shift 2 ;;
    --costs) costs="$(option_value "$@")"; shift 2 ;;
    --usage-api) usage_api="$(option_value "$@")"; shift 2 ;;
    --billing-account-id) account_id="$(option_value "$@")"; shift 2 ;;
    --billing-account-name) account_name="$(option_value "$@")"; shift 2 ;;
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
  --month "$month" --tables "$tables" --costs "$costs" --usage-api "$usage_api" --out "$out" \
  --billing-account-id "$account_id" --billing-account-name "$account_name" ${rest[@]+"${rest[@]}"}
