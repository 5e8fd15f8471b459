#!/usr/bin/env bash
# Kill test, for real: a nightly run is killed with SIGKILL while it writes; the previously published
# tables must be whole and unchanged (byte for byte), and the next run must take over the dead run's lock,
# record the dead run, clear its staging and complete normally, with the same tables a clean run writes.
# Then two suspect nights (an empty one, exit 5; a partial export, exit 6) must leave them unchanged too.
# The month close keeps the same promises: a close killed with SIGKILL while it stages leaves the close
# published before it (tables, CSV files, month_close.html) byte for byte, and the next close takes over its
# lock and writes the same CSV files as a clean close.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
assetcost_build
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
out="$work/out"
run() { "$ROOT/scripts/run-local.sh" --out "$out" "$@"; }
tables=(request_costs asset_costs cost_per_approved_asset retry_waste quarantine)
snapshot() { (cd "$out" && find "${tables[@]}" -type f -print0 | sort -z | xargs -0 sha256sum); }
# The data tables; quarantine holds what the latest run examined, so a nightly run's differs from a full one's.
fingerprints() { sed -n '/"table_fingerprints"/,/}/p' "$out/run_summary.json" | grep -v '"quarantine"'; }

echo "== a full run publishes the tables"
run --full 2>"$work/full.log" || { cat "$work/full.log" >&2; exit 1; }
snapshot >"$work/before"
fingerprints >"$work/expected"

echo "== a nightly run, killed with SIGKILL while it writes"
# Started directly (not through a shell function) so that $! is the JVM: run-local.sh execs java.
"$ROOT/scripts/run-local.sh" --out "$out" --run-date 2026-11-17 2>"$work/killed.log" &
pid=$!
# Up to 5 minutes: on a loaded machine the run takes a while to reach its writes.
staged=0
for _ in $(seq 1 3000); do
  if compgen -G "$out/_staging/*/request_costs/*/*.parquet" >/dev/null; then staged=1; break; fi
  kill -0 "$pid" 2>/dev/null || { echo "the run ended before it could be killed" >&2; exit 1; }
  sleep 0.1
done
[[ $staged == 1 ]] || { kill -9 "$pid"; echo "the run staged nothing within 5 minutes" >&2; exit 1; }
kill -9 "$pid"
wait "$pid" 2>/dev/null || true
kill -0 "$pid" 2>/dev/null && { echo "the run survived SIGKILL" >&2; exit 1; }
test -f "$out/_lock" || { echo "expected the dead run's lock to be left behind" >&2; exit 1; }
ls -d "$out"/_staging/* >/dev/null 2>&1 || { echo "expected the dead run's staging to be left behind" >&2; exit 1; }
ls -d "$out"/_checkpoints/* >/dev/null 2>&1 || { echo "expected the dead run's checkpoints to be left behind" >&2; exit 1; }
snapshot >"$work/after"
if ! diff -q "$work/before" "$work/after" >/dev/null; then
  echo "published tables changed under a killed run:" >&2
  diff "$work/before" "$work/after" >&2
  exit 1
fi
echo "published tables unchanged ($(wc -l <"$work/before") files)"

echo "== the next run takes over the lock, records the dead run and completes"
killed_id="$(sed -n 's/.*"run_id":"\([^"]*\)".*/\1/p' "$out/_lock")"
run --run-date 2026-11-17 2>"$work/next.log" || { cat "$work/next.log" >&2; exit 1; }
grep -q "taking over the lock" "$work/next.log" || { echo "the lock was not taken over" >&2; exit 1; }
grep -q "\"run_id\" : \"$killed_id\"" "$out/run_summary.json" \
  || { echo "the summary does not name the dead run $killed_id (lock_taken_over)" >&2; exit 1; }
grep -q '"exit_code" : null' "$out/_runs/$killed_id.json" \
  || { echo "no record of the dead run $killed_id in _runs/" >&2; exit 1; }
test ! -e "$out/_lock" && test ! -e "$out/_staging" && test ! -e "$out/_checkpoints" \
  || { echo "lock, staging or checkpoints left behind" >&2; exit 1; }
fingerprints >"$work/actual"
diff "$work/expected" "$work/actual" >&2 || { echo "the recovered run wrote other tables" >&2; exit 1; }

echo "== suspect nights publish nothing"
snapshot >"$work/published"
empty="$work/empty-usage"
mkdir -p "$empty"
: >"$empty/usage-2026-11-17.jsonl"
set +e
run --run-date 2026-11-17 --usage "$empty" 2>"$work/empty.log"
code=$?
set -e
[[ $code == 5 ]] || { cat "$work/empty.log" >&2; echo "an empty night exited $code, not 5" >&2; exit 1; }
partial="$work/partial-usage"
cp -r "$ROOT/sample-data/usage" "$partial"
rm "$partial/usage-2026-11-14.jsonl"
set +e
run --run-date 2026-11-17 --usage "$partial" 2>"$work/partial.log"
code=$?
set -e
[[ $code == 6 ]] || { cat "$work/partial.log" >&2; echo "a partial export exited $code, not 6" >&2; exit 1; }
grep -q "usage_date 2026-11-14" "$work/partial.log" || { echo "exit 6 does not name the day" >&2; exit 1; }
snapshot >"$work/after-suspect"
diff "$work/published" "$work/after-suspect" >&2 || { echo "a suspect night changed the published tables" >&2; exit 1; }
fingerprints >"$work/suspect-fingerprints"
diff "$work/expected" "$work/suspect-fingerprints" >&2 || { echo "the fingerprints moved" >&2; exit 1; }
echo "== a month close, killed with SIGKILL while it stages"
finance="$work/finance"
close_tables=(monthly_spend unpriced_usage cost_reconciliation meter_reconciliation focus_costs
  unmatched_line_items log_coverage quarantine)
close_snapshot() {
  (cd "$finance" && find "${close_tables[@]}" ./*.csv month_close.html -type f -print0 | sort -z | xargs -0 sha256sum)
}
csv_snapshot() { (cd "$finance" && sha256sum ./*.csv); }
"$ROOT/scripts/reconcile.sh" --tables "$out" --out "$finance" 2>"$work/close.log" \
  || { cat "$work/close.log" >&2; exit 1; }
close_snapshot >"$work/close-before"
csv_snapshot >"$work/close-csv"
"$ROOT/scripts/reconcile.sh" --tables "$out" --out "$finance" 2>"$work/close-killed.log" &
pid=$!
staged=0
for _ in $(seq 1 3000); do
  if compgen -G "$finance/_staging/*/monthly_spend/*.parquet" >/dev/null; then staged=1; break; fi
  kill -0 "$pid" 2>/dev/null || { echo "the month close ended before it could be killed" >&2; exit 1; }
  sleep 0.1
done
[[ $staged == 1 ]] || { kill -9 "$pid"; echo "the month close staged nothing within 5 minutes" >&2; exit 1; }
kill -9 "$pid"
wait "$pid" 2>/dev/null || true
kill -0 "$pid" 2>/dev/null && { echo "the month close survived SIGKILL" >&2; exit 1; }
test -f "$finance/_lock" || { echo "expected the killed close's lock to be left behind" >&2; exit 1; }
ls -d "$finance"/_staging/* >/dev/null 2>&1 || { echo "expected the killed close's staging" >&2; exit 1; }
close_snapshot >"$work/close-after"
if ! diff -q "$work/close-before" "$work/close-after" >/dev/null; then
  echo "the published close changed under a killed month close:" >&2
  diff "$work/close-before" "$work/close-after" >&2
  exit 1
fi
echo "published close unchanged ($(wc -l <"$work/close-before") files)"

echo "== the next month close takes over the lock and completes"
killed_close="$(sed -n 's/.*"run_id":"\([^"]*\)".*/\1/p' "$finance/_lock")"
"$ROOT/scripts/reconcile.sh" --tables "$out" --out "$finance" 2>"$work/close-next.log" \
  || { cat "$work/close-next.log" >&2; exit 1; }
grep -q "taking over the lock" "$work/close-next.log" || { echo "the close's lock was not taken over" >&2; exit 1; }
grep -q "\"run_id\" : \"$killed_close\"" "$finance/reconcile_summary.json" \
  || { echo "the close's summary does not name the killed close $killed_close" >&2; exit 1; }
test ! -e "$finance/_lock" && test ! -e "$finance/_staging" && test ! -e "$finance/_trash" \
  || { echo "the close left its lock, staging or trash behind" >&2; exit 1; }
csv_snapshot >"$work/close-csv-after"
diff "$work/close-csv" "$work/close-csv-after" >&2 || { echo "the recovered close wrote other CSV files" >&2; exit 1; }
echo "kill test passed"
