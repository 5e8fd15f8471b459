#!/usr/bin/env bash
# A Spark standalone cluster on this machine: one master and two workers on 127.0.0.1, from Spark's jars
# as Maven resolved them (no Spark download): jobs/target/spark-home/jars/ links them and serves as
# SPARK_HOME. It stops exactly the processes it started (their pids are kept in the state directory).
#
#   scripts/standalone-cluster.sh start|stop|status
#
# Environment: ASSETCOST_CLUSTER_DIR (state: pids, logs, worker dirs; default jobs/target/standalone),
# ASSETCOST_MASTER_PORT (7077), ASSETCOST_MASTER_UI_PORT (8080), ASSETCOST_WORKER_MEMORY (2g).
# The master URL is spark://127.0.0.1:$ASSETCOST_MASTER_PORT.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

state="${ASSETCOST_CLUSTER_DIR:-$ROOT/jobs/target/standalone}"
port="${ASSETCOST_MASTER_PORT:-7077}"
ui="${ASSETCOST_MASTER_UI_PORT:-8080}"
master="spark://127.0.0.1:$port"
export SPARK_LOCAL_IP=127.0.0.1 SPARK_SCALA_VERSION=2.13

alive() { [[ -f "$1" ]] && kill -0 "$(cat "$1")" 2>/dev/null; }

alive_workers() {
  curl -fsS "http://127.0.0.1:$ui/json/" 2>/dev/null | grep -o '"state" *: *"ALIVE"' | wc -l
}

spark_home() {
  assetcost_build
  SPARK_HOME="$ROOT/jobs/target/spark-home"
  mkdir -p "$SPARK_HOME/jars"
  local jar
  tr ':' '\n' <<<"$SPARK_CP" | while read -r jar; do
    [[ -n "$jar" ]] && ln -sf "$jar" "$SPARK_HOME/jars/$(basename "$jar")"
  done
  export SPARK_HOME
}

start() {
  if alive "$state/master.pid"; then
    echo "already running: $master" >&2
    return 0
  fi
  spark_home
  mkdir -p "$state/logs"
  local cp="$SPARK_HOME/jars/*"
  # shellcheck disable=SC2086
  nohup java $JAVA_OPTS_SPARK -Xmx512m -cp "$cp" \
    -Dlog4j2.configurationFile="$ROOT/scripts/conf/log4j2.properties" \
    org.apache.spark.deploy.master.Master --host 127.0.0.1 --port "$port" --webui-port "$ui" \
    >"$state/logs/master.log" 2>&1 &
  echo $! >"$state/master.pid"
  for w in 1 2; do
    mkdir -p "$state/worker-$w"
    # shellcheck disable=SC2086
    nohup java $JAVA_OPTS_SPARK -Xmx512m -cp "$cp" \
      -Dlog4j2.configurationFile="$ROOT/scripts/conf/log4j2.properties" \
      org.apache.spark.deploy.worker.Worker --host 127.0.0.1 --cores 1 \
      --memory "${ASSETCOST_WORKER_MEMORY:-2g}" --webui-port "$((ui + w))" \
      --work-dir "$state/worker-$w" "$master" >"$state/logs/worker-$w.log" 2>&1 &
    echo $! >"$state/worker-$w.pid"
  done
  for _ in $(seq 1 120); do
    if [[ "$(alive_workers)" -ge 2 ]]; then
      echo "$master (UI http://127.0.0.1:$ui/), 2 workers alive"
      return 0
    fi
    alive "$state/master.pid" || break
    sleep 0.5
  done
  echo "the cluster did not come up; see $state/logs/" >&2
  stop
  return 1
}

stop() {
  local f pid
  for f in "$state"/worker-2.pid "$state"/worker-1.pid "$state"/master.pid; do
    [[ -f "$f" ]] || continue
    pid="$(cat "$f")"
    if kill -0 "$pid" 2>/dev/null; then
      kill "$pid"
      for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
      kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
    fi
    rm -f "$f"
  done
  echo "stopped"
}

status() {
  local f up=0
  for f in master worker-1 worker-2; do
    if alive "$state/$f.pid"; then echo "$f: running (pid $(cat "$state/$f.pid"))"; up=1
    else echo "$f: not running"; fi
  done
  [[ $up == 1 ]] && echo "$master: $(alive_workers) workers alive"
  [[ $up == 1 ]]
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
