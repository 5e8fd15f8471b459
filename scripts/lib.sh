# Shared by the scripts: builds the jars when they are missing or older than the sources, and sets
# ROOT, JAR (the shipped job jar), TOOLS_JAR (developer tools, never shipped: it runs beside JAR),
# SPARK_CP (Spark's own jars, and Delta Lake's for --table-format delta: the jobs module's provided scope, as
# Maven resolved them) and JAVA_OPTS_SPARK (the JVM flags Spark needs on Java 17 outside spark-submit's
# launcher, read from Spark's own JavaModuleOptions).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
JAR="$ROOT/jobs/target/assetcost-jobs.jar"
TOOLS_JAR="$ROOT/tools/target/assetcost-tools.jar"
CP_FILE="$ROOT/jobs/target/spark-classpath.txt"

assetcost_build() {
  local stale=0
  if [[ ! -f "$JAR" || ! -f "$TOOLS_JAR" || ! -f "$CP_FILE" ]]; then
    stale=1
  elif [[ -n "$(find "$ROOT/jobs/src/main" "$ROOT/tools/src/main" "$ROOT/schemas" "$ROOT/pom.xml" \
      "$ROOT/jobs/pom.xml" "$ROOT/tools/pom.xml" -newer "$JAR" -type f -print -quit)" ]]; then
    stale=1
  fi
  if [[ $stale == 1 ]]; then
    echo "building $JAR ..." >&2
    (cd "$ROOT" && mvn -B -q -ntp package -DskipTests) >&2
  fi
  SPARK_CP="$(cat "$CP_FILE")"
  JAVA_OPTS_SPARK="$(java -cp "$TOOLS_JAR:$SPARK_CP" io.assetcost.tools.PrintSparkJavaOptions)"
}

# Runs a developer tool's main class on the driver (no Spark job): assetcost_tool CLASS [args...]
assetcost_tool() {
  java -cp "$TOOLS_JAR:$JAR:$SPARK_CP" "$@"
}

# Runs a job class of the jar through Spark's own SparkSubmit, exactly as spark-submit would, replacing
# this shell (its exit status is the job's; in cluster deploy mode, SparkSubmit's, after waiting for the
# driver). ASSETCOST_MASTER (default local[*]) and ASSETCOST_DEPLOY_MODE (default client) choose where;
# ASSETCOST_SUBMIT_ARGS adds spark-submit options (e.g. "--conf spark.eventLog.enabled=true"),
# ASSETCOST_SHUFFLE_PARTITIONS sets spark.sql.shuffle.partitions (unset: the cost job sizes it from its input,
# other classes get 8),
# ASSETCOST_JAVA_OPTS JVM options of the driver (in local mode: of the whole run), ASSETCOST_APP_JAR the
# application jar (default JAR; the generators pass TOOLS_JAR, which runs with JAR on the classpath).
#   assetcost_submit CLASS [job options...]
assetcost_submit() {
  local class="$1"; shift
  local work="${ASSETCOST_WORK_DIR:-$ROOT/jobs/target/run-local}"
  mkdir -p "$work/tmp" "$work/spark-local"
  export SPARK_LOCAL_IP=127.0.0.1
  export SPARK_SCALA_VERSION=2.13
  # Spark's scratch space, as the environment gives it (the spark.local.dir setting makes Spark warn on every
  # run that a cluster manager would override it).
  export SPARK_LOCAL_DIRS="$work/spark-local"
  # The cost job sizes its shuffle partitions from its input when none is set; the month close and the
  # forecast read the cost job's small tables and get 8 here unless told otherwise (Spark's 200 would make
  # hundreds of empty tasks).
  local partitions="${ASSETCOST_SHUFFLE_PARTITIONS:-}"
  [[ -z "$partitions" && "$class" != io.assetcost.CostJob ]] && partitions=8
  local cds
  cds="$(assetcost_cds_options "$JAR${ASSETCOST_APP_JAR:+:$ASSETCOST_APP_JAR}:$SPARK_CP")"
  # The JVM announces the incubator module Spark's flags add on every start; it is expected, not a problem.
  # shellcheck disable=SC2086
  exec java $JAVA_OPTS_SPARK -Xmx"${ASSETCOST_DRIVER_MEMORY:-2g}" $cds ${ASSETCOST_JAVA_OPTS:-} \
    -Djava.io.tmpdir="$work/tmp" \
    -Dlog4j2.configurationFile="$ROOT/scripts/conf/log4j2.properties" \
    -Dassetcost.log.dir="$work/logs" \
    -cp "$JAR${ASSETCOST_APP_JAR:+:$ASSETCOST_APP_JAR}:$SPARK_CP" org.apache.spark.deploy.SparkSubmit \
    --master "${ASSETCOST_MASTER:-local[*]}" \
    --deploy-mode "${ASSETCOST_DEPLOY_MODE:-client}" \
    --conf spark.standalone.submit.waitAppCompletion=true \
    --conf spark.ui.enabled=false \
    ${partitions:+--conf spark.sql.shuffle.partitions=$partitions} \
    ${ASSETCOST_SUBMIT_ARGS:-} \
    ${ASSETCOST_APP_JAR:+--jars "$JAR"} \
    --class "$class" "${ASSETCOST_APP_JAR:-$JAR}" "$@" \
    2> >(grep -v --line-buffered '^WARNING: Using incubator modules: jdk.incubator.vector$' >&2)
}

# JVM options for a class-data-sharing archive of the classes a run loads (Java's AppCDS; in local mode
# the whole run is one JVM): about 20,000 classes of Spark and its dependencies, which a cold start
# otherwise looks up in some 250 jars one by one. The first run of a class path writes the archive when
# it exits, under a name of its own; a later run adopts it once that run is gone and maps it, which takes
# some 5 s off a small run (docs/PERFORMANCE.md). A rebuilt jar starts a new archive; an archive that
# cannot be used (damaged, other class path) is ignored by the JVM. ASSETCOST_CDS=0 turns this off.
#   assetcost_cds_options CLASSPATH
assetcost_cds_options() {
  [[ "${ASSETCOST_CDS:-1}" == 0 ]] && return 0
  local dir="$ROOT/jobs/target/cds" key pending
  mkdir -p "$dir"
  key="$(printf '%s' "$1" | sha1sum | cut -c1-12)"
  local archive="$dir/$key.jsa"
  if [[ -f "$archive" && "$archive" -ot "$JAR" ]]; then
    rm -f "$archive"
  fi
  if [[ ! -f "$archive" ]]; then
    for pending in "$dir/$key".*.jsa.pending; do
      [[ -f "$pending" ]] || continue
      if [[ "$pending" -ot "$JAR" ]]; then
        rm -f "$pending"
      elif ! kill -0 "$(basename "$pending" .jsa.pending | cut -d. -f2)" 2>/dev/null; then
        mv -f "$pending" "$archive"
      fi
    done
  fi
  if [[ -f "$archive" ]]; then
    printf '%s' "-XX:SharedArchiveFile=$archive -Xlog:cds=off,cds+dynamic=off"
  elif ! compgen -G "$dir/$key.*.jsa.pending" >/dev/null; then
    printf '%s' "-XX:ArchiveClassesAtExit=$dir/$key.$$.jsa.pending -Xlog:cds=off,cds+dynamic=off"
  fi
}

# The value of an option, or exit 2 with one line when it is missing: option_value OPTION "$@"
option_value() {
  if [[ $# -lt 2 || "$2" == --* ]]; then
    echo "$(basename "$0"): $1 needs a value (see --help)" >&2
    exit 2
  fi
  printf '%s' "$2"
}
