#!/usr/bin/env bash
# Runs the cost job like scripts/run-local.sh (same options) with Spark's event log and Java Flight
# Recorder on, then prints where the time went:
#  - per step (the job descriptions the pipeline sets): wall seconds, jobs, stages, tasks, task seconds,
#    shuffle bytes;
#  - the CPU samples of the run (local mode: driver and executors are one JVM) by what they were doing,
#    counted inclusively (a sample in BigDecimal code called from a sort counts for both), and the
#    hottest methods at the top of the stack.
# The event log stays under jobs/target/event-logs/ (for the Spark history server), the recording under
# jobs/target/profile.jfr (for JDK Mission Control or `jfr print`).
#
#   scripts/profile.sh --usage PATH --acceptance PATH --out DIR [--full] [other job options]
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
assetcost_build
logs="${ASSETCOST_EVENT_LOG_DIR:-$ROOT/jobs/target/event-logs}"
jfr="$ROOT/jobs/target/profile.jfr"
mkdir -p "$logs"
before="$(ls -1 "$logs" | wc -l)"
rc=0
ASSETCOST_JAVA_OPTS="-XX:FlightRecorderOptions=stackdepth=256 -XX:StartFlightRecording=filename=$jfr,settings=profile" \
ASSETCOST_SUBMIT_ARGS="--conf spark.eventLog.enabled=true --conf spark.eventLog.dir=file://$logs
  --conf spark.eventLog.rolling.enabled=false --conf spark.eventLog.compress=false" \
  "$ROOT/scripts/run-local.sh" "$@" || rc=$?
log="$(ls -1t "$logs"/* | head -1)"
[[ "$(ls -1 "$logs" | wc -l)" -gt "$before" ]] || { echo "profile.sh: no new event log in $logs" >&2; exit 1; }
echo "event log: $log"
assetcost_tool io.assetcost.tools.EventLogSummary "$log"
echo
echo "CPU samples (Java Flight Recorder, $jfr):"
jfr print --events jdk.ExecutionSample "$jfr" | awk '
  function classify(f) {
    if (f ~ /java\.math\.(BigDecimal|BigInteger|MutableBigInteger)|scala\.math\.BigDecimal|types\.Decimal\./) c["exact decimal arithmetic (BigDecimal)"]=1
    if (f ~ /jackson|JsonToStructs|JacksonParser|StructsToJson|JacksonGenerator/) c["JSON parse/render"]=1
    if (f ~ /org\.apache\.parquet|ParquetFileFormat|VectorizedParquet|ParquetWrite/) c["Parquet read/write"]=1
    if (f ~ /commons\.csv|univocity|CsvSource/) c["CSV parse/write"]=1
    if (f ~ /UnsafeExternalSorter|UnsafeInMemorySorter|SortExec|RadixSort|TimSort/) c["sorting"]=1
    if (f ~ /shuffle|ShuffleWriter|ShuffleReader|BlockManager/) c["shuffle and block I/O"]=1
    if (f ~ /compress|Zstd|zstd|lz4|LZ4|Snappy|snappy/) c["compression"]=1
    if (f ~ /janino|codehaus|CodeGenerator/) c["code generation (Janino)"]=1
    if (f ~ /columnar|InMemoryRelation|CachedBatch|ColumnBuilder|ColumnAccessor/) c["in-memory cache build/scan"]=1
    if (f ~ /UTF8String/) c["string handling (UTF8String)"]=1
  }
  /stackTrace = \[/ { inst=1; first=""; delete c; next }
  inst && /^[ \t]*\]/ { inst=0; n++; top[first]++; for (k in c) cat[k]++; next }
  inst { f=$0; sub(/^[ \t]+/, "", f); sub(/[ \t]+line:.*/, "", f); if (first=="") first=f; classify(f) }
  END {
    printf "%d samples\n\nshare of samples by activity (inclusive, a sample may count in several):\n", n
    for (k in cat) printf "%6.1f%%  %s\n", 100*cat[k]/n, k | "sort -rn"
    close("sort -rn")
    printf "\nhottest methods (top of stack):\n"
    for (k in top) printf "%6.1f%%  %s\n", 100*top[k]/n, k | "sort -rn | head -15"
  }'
exit $rc
