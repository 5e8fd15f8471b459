#!/usr/bin/env bash
# Opens the HTML reports in headless Chromium and checks them as a reader would see them: no script error,
# no request to the network, every chart drawn, and the headline figures read from the rendered page equal to
# the published Parquet tables (recomputed independently by io.assetcost.tools.ReportFigures, on report.html
# also the pending assets and their cost and the mature-cohort comparison; for the forecast by
# io.assetcost.tools.ForecastFigures). Saves screenshots. Installs Debian's chromium and the pinned
# playwright-core (scripts/browser/) when missing.
#
#   scripts/check-reports.sh --cost DIR [--month-close DIR] [--forecast DIR] [--shots DIR]
#
# DIR is a cost job's --out (report.html), a month close's --out (month_close.html) or a forecast's --out
# (forecast.html). Exit 0 when every check passes, 1 otherwise, one line per problem.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

cost=""
month=""
forecast=""
shots="$ROOT/jobs/target/report-shots"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --cost) cost="$(option_value "$@")"; shift 2 ;;
    --month-close) month="$(option_value "$@")"; shift 2 ;;
    --forecast) forecast="$(option_value "$@")"; shift 2 ;;
    --shots) shots="$(option_value "$@")"; shift 2 ;;
    *) echo "check-reports.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
[[ -n "$cost$month$forecast" ]] || {
  echo "check-reports.sh: give --cost DIR, --month-close DIR and/or --forecast DIR" >&2; exit 2; }

if ! command -v chromium >/dev/null; then
  echo "installing Debian's chromium ..." >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
if [[ ! -d "$ROOT/scripts/browser/node_modules/playwright-core" ]]; then
  echo "installing playwright-core (scripts/browser/package-lock.json) ..." >&2
  (cd "$ROOT/scripts/browser" && npm ci --no-audit --no-fund --loglevel=error) >&2
fi
assetcost_build
mkdir -p "$shots"
rc=0
check() { # check KIND DIR PAGE
  local kind="$1" dir="$2" page="$3"
  test -s "$dir/$page" || { echo "check-reports.sh: $dir/$page is missing" >&2; rc=1; return; }
  node "$ROOT/scripts/browser/check-report.mjs" "$dir/$page" "$shots/${page%.html}" || rc=1
  assetcost_tool io.assetcost.tools.ReportFigures "$shots/${page%.html}-figures.json" "$dir" "$kind" \
    2> >(grep -v ' WARN \| INFO ' >&2) || rc=1
}
[[ -z "$cost" ]] || check cost "$cost" report.html
[[ -z "$month" ]] || check month-close "$month" month_close.html
if [[ -n "$forecast" ]]; then
  if test -s "$forecast/forecast.html"; then
    node "$ROOT/scripts/browser/check-report.mjs" "$forecast/forecast.html" "$shots/forecast" || rc=1
    assetcost_tool io.assetcost.tools.ForecastFigures "$shots/forecast-figures.json" "$forecast" \
      2> >(grep -v ' WARN \| INFO ' >&2) || rc=1
  else
    echo "check-reports.sh: $forecast/forecast.html is missing" >&2; rc=1
  fi
fi
echo "screenshots in $shots"
exit $rc
