#!/usr/bin/env bash
# Integration test: the same jar on a real Spark standalone cluster (scripts/standalone-cluster.sh), in
# client and in cluster deploy mode, must write the same tables as a local[*] run on the sample data.
# Tables are compared through the order-independent fingerprints each run writes into run_summary.json.
# Exits non-zero on any difference or failure; always stops the cluster it started.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
assetcost_build
work="$(mktemp -d)"
cluster="$ROOT/scripts/standalone-cluster.sh"
trap '"$cluster" stop >/dev/null; rm -rf "$work"' EXIT

"$cluster" start
master="spark://127.0.0.1:${ASSETCOST_MASTER_PORT:-7077}"

echo "== local[*]"
(ASSETCOST_MASTER='local[*]' "$ROOT/scripts/run-local.sh" --out "$work/local") 2>"$work/local.log" \
  || { cat "$work/local.log" >&2; exit 1; }
echo "== $master, client deploy mode"
(ASSETCOST_MASTER="$master" ASSETCOST_DEPLOY_MODE=client "$ROOT/scripts/run-local.sh" --out "$work/client") \
  2>"$work/client.log" || { cat "$work/client.log" >&2; exit 1; }
echo "== $master, cluster deploy mode"
# In standalone cluster mode spark-submit exits 0 whatever the driver does: the driver's own
# run_summary.json (its exit_code) is what CompareRunSummaries checks.
(ASSETCOST_MASTER="$master" ASSETCOST_DEPLOY_MODE=cluster "$ROOT/scripts/run-local.sh" --out "$work/cluster") \
  2>"$work/cluster.log" || { cat "$work/cluster.log" >&2; exit 1; }
for run in client cluster; do
  test -s "$work/$run/run_summary.json" || { echo "$run run wrote no run_summary.json" >&2; exit 1; }
done
assetcost_tool io.assetcost.tools.CompareRunSummaries \
  "$work/local/run_summary.json" "$work/client/run_summary.json" "$work/cluster/run_summary.json"
