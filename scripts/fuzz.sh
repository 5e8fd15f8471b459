#!/usr/bin/env bash
# Fuzzes every parser of outside bytes: each @FuzzTest target of jobs/src/test/java/io/assetcost/InputFuzzTest.java
# runs in Jazzer's fuzzing mode (JAZZER_FUZZ=1) for SECONDS, one target per JVM as Jazzer requires. `mvn test`
# only replays the seed corpus; this looks for new inputs. A target takes some 20 to 80 s more than SECONDS
# (Maven, the JVM, Jazzer's instrumentation, Spark, its seeds run once before fuzzing).
#
#   scripts/fuzz.sh [--share K/N] [SECONDS] [TARGET...]   SECONDS defaults to 30; no TARGET = every target
#
# --share K/N fuzzes only the targets whose place in the sorted list of targets is K modulo N (0 <= K < N): CI
# takes one share a day in turn, so that every target is fuzzed every N days at a third of the time.
#
# Exit 0 when no target found anything, 1 on a finding, 2 on a usage error. Jazzer saves an input that breaks
# a target's property beside that target's seeds, as
# jobs/src/test/resources/io/assetcost/InputFuzzTestInputs/<target>/crash-<sha1>; the script names it. Once
# the bug is fixed, keep the file (git add): `mvn test` then replays it for good. Inputs the fuzzer found
# interesting but harmless stay in jobs/.cifuzz-corpus/ (ignored by git); each target's log is in
# jobs/target/fuzz/<target>.log.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage="usage: scripts/fuzz.sh [--share K/N] [SECONDS] [TARGET...]"
share=""
if [[ "${1:-}" == "--share" ]]; then
  share="${2:-}"
  [[ "$share" =~ ^([0-9]+)/([1-9][0-9]*)$ ]] && (( BASH_REMATCH[1] < BASH_REMATCH[2] )) \
    || { echo "fuzz.sh: --share takes K/N with 0 <= K < N, got '$share'; $usage" >&2; exit 2; }
  shift 2
fi
seconds="${1:-30}"
[[ "$seconds" =~ ^[1-9][0-9]*$ ]] || { echo "$usage" >&2; exit 2; }
shift $(( $# > 0 ? 1 : 0 ))

source_file="$ROOT/jobs/src/test/java/io/assetcost/InputFuzzTest.java"
inputs="$ROOT/jobs/src/test/resources/io/assetcost/InputFuzzTestInputs"
mapfile -t all < <(grep -A3 '@FuzzTest' "$source_file" | sed -n 's/^ *void \([A-Za-z0-9_]*\)(.*/\1/p')
[[ ${#all[@]} -gt 0 ]] || { echo "fuzz.sh: no @FuzzTest target found in $source_file" >&2; exit 2; }
targets=("${@:-${all[@]}}")
if [[ -n "$share" ]]; then
  k="${share%/*}" n="${share#*/}" i=0 picked=()
  while read -r t; do
    (( i % n == k )) && picked+=("$t")
    i=$((i + 1))
  done < <(printf '%s\n' "${targets[@]}" | sort)
  targets=("${picked[@]}")
  echo "fuzz.sh: share $share of the targets: ${targets[*]}" >&2
fi
for t in "${targets[@]}"; do
  [[ " ${all[*]} " == *" $t "* ]] || { echo "fuzz.sh: no target $t (targets: ${all[*]})" >&2; exit 2; }
done

logs="$ROOT/jobs/target/fuzz"
mkdir -p "$logs"
export SPARK_LOCAL_IP=127.0.0.1
echo "compiling the tests ..." >&2
(cd "$ROOT" && mvn -B -q -ntp -pl jobs -am test-compile) >&2

found=0
started=$SECONDS
for t in "${targets[@]}"; do
  log="$logs/$t.log"
  mkdir -p "$inputs/$t"
  before="$(ls "$inputs/$t")"
  t0=$SECONDS
  # Jazzer 0.24 takes a fuzzing time only from @FuzzTest(maxDuration) or from libFuzzer's own flags, passed
  # as the JUnit parameters jazzer.internal.arg.N (argument 0 is a program name); the later flag wins.
  # Coverage is measured in our classes and in the two parsers they hand bytes to (Jackson, Commons CSV);
  # Spark's own classes would take minutes to instrument. A Spark target's input may take seconds on a busy
  # machine: libFuzzer would save each one over 10 s as a "slow unit" among the seeds.
  if (cd "$ROOT" && JAZZER_FUZZ=1 mvn -B -ntp -pl jobs surefire:test \
      -Dtest="InputFuzzTest#$t" -Dsurefire.failIfNoSpecifiedTests=false \
      -Djazzer.instrumentation_includes='io.assetcost.**:com.fasterxml.jackson.core.**:org.apache.commons.csv.**' \
      -Djazzer.internal.arg.0=fuzz -Djazzer.internal.arg.1=-max_total_time="$seconds" \
      -Djazzer.internal.arg.2=-report_slow_units=3600) >"$log" 2>&1; then
    runs="$(grep -o 'Done [0-9]* runs in [0-9]* second(s)' "$log" | tail -1)"
    echo "$t: nothing found (${runs:-no run count in $log}; $((SECONDS - t0)) s in all)"
  else
    found=1
    new="$(comm -13 <(echo "$before") <(ls "$inputs/$t") | grep -E '^(crash|timeout|oom|leak)-' \
      | sed "s|^|$inputs/$t/|" || true)"
    echo "$t: FINDING after $((SECONDS - t0)) s; log: $log"
    grep -m1 -A6 -E 'FuzzTestFindingException|== Java Exception' "$log" | sed 's/^/    /' || true
    if [[ -n "$new" ]]; then
      echo "  the input that breaks it (now among the seeds, so mvn test fails on it until the bug is fixed):"
      echo "$new" | sed 's/^/    /'
    else
      echo "  no new input in $inputs/$t: the run itself failed, see the log"
    fi
  fi
done
echo "fuzzed ${#targets[@]} target(s) for $seconds s each in $((SECONDS - started)) s"
exit "$found"
