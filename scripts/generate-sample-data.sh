#!/usr/bin/env bash
# Regenerates sample-data/ deterministically (same seed, same bytes).
#   scripts/generate-sample-data.sh [OUT_DIR] [SEED]
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
assetcost_build
out="${1:-$ROOT/sample-data}"
rm -rf "$out/usage" "$out/acceptance" "$out/costs" "$out/usage-api"
assetcost_tool io.assetcost.tools.SampleDataGenerator "$out" "${2:-20261115}"
echo "wrote $out/usage, $out/acceptance, $out/costs and $out/usage-api" >&2
