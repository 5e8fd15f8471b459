# Shared by the scripts: builds the jar when it is missing or older than the sources, and sets
# ROOT, JAR, SPARK_CP (Spark's own jars as Maven resolved them) and JAVA_OPTS_SPARK (the JVM flags Spark
# needs on Java 17 outside spark-submit's launcher, read from Spark's own JavaModuleOptions).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
JAR="$ROOT/jobs/target/assetcost-jobs.jar"
CP_FILE="$ROOT/jobs/target/spark-classpath.txt"

assetcost_build() {
  local stale=0
  if [[ ! -f "$JAR" || ! -f "$CP_FILE" ]]; then
    stale=1
  elif [[ -n "$(find "$ROOT/jobs/src/main" "$ROOT/schemas" "$ROOT/pom.xml" "$ROOT/jobs/pom.xml" -newer "$JAR" -type f -print -quit)" ]]; then
    stale=1
  fi
  if [[ $stale == 1 ]]; then
    echo "building $JAR ..." >&2
    (cd "$ROOT" && mvn -B -q -ntp package -DskipTests) >&2
  fi
  SPARK_CP="$(cat "$CP_FILE")"
  JAVA_OPTS_SPARK="$(java -cp "$JAR:$SPARK_CP" io.assetcost.tools.PrintSparkJavaOptions)"
}
