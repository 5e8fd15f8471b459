#!/usr/bin/env bash
# Benchmarks the Spark job against the DuckDB reference implementation (bench/) on the same generated
# inputs, each run in a fresh JVM, and checks that both compute the same reports to the last decimal.
#
#   scripts/bench.sh [--sizes 1000000,10000000] [--formats jsonl,parquet[,batch,litellm,langfuse]] [--reps 3] [--cores 2]
#                    [--memory 4g] [--shuffle-partitions P] [--days 14] [--workflows 10] [--seed 20261122]
#                    [--data DIR] [--work DIR] [--rate-limits FILE] [--skip-duckdb]
#
# Data is generated once per size under --data (default bench-data/, reused while its parameters match).
# Each repetition runs `scripts/run-local.sh --full` with --master local[CORES] and CORES/MEMORY as
# driver heap and P shuffle partitions (default: the job sizes them from its input; the class-data-sharing
# archive off unless ASSETCOST_CDS=1, so rows stay comparable), then DuckDbCostJob
# with CORES threads and MEMORY as memory_limit (both with --rate-limits FILE when given, else the job's embedded
# rate-limit card); wall seconds and peak RSS
# come from GNU time, the peak of the Spark run's scratch disk (its local directory: shuffle files and spills;
# and the checkpoints of the datasets it keeps, under the output's _checkpoints) from sampling their size every
# second (and the size of each every 20 seconds, in disk-SIZE-FORMAT-REP.tsv). After the timed runs, one
# untimed DuckDB run with --compare checks every table the Spark job writes from usage and decisions row by row
# (the quarantine as counts by source and reason) and the total cost against the Spark output. DuckDB also times its work up to the original four tables (request_costs,
# asset_costs, cost_per_approved_asset, retry_waste) apart from the whole job; the lines under the table give
# both and the Spark/DuckDB ratio on the four tables beside the whole job's. Prints a Markdown table and keeps
# it, with the raw timings (duckdb-phases.tsv: those two times per run), under --work (default bench-work/).
# Exits non-zero when a run fails or the two disagree.
#
# Exports (issue 28): --formats may also name batch, litellm and langfuse. The generator then writes the same
# requests as an OpenAI Batch export (usage-batch/: a batch per day and endpoint, input, output and error files
# and batch.json), LiteLLM spend-log rows (usage-litellm/, the spend-logs API's JSON, one row a line) and
# Langfuse generations (usage-langfuse/, its blob-storage export), and the Spark job reads each with
# --usage-format F. DuckDB reads only the job's own shapes, so it runs on the export's twin: the same requests
# as the usage log says what that export can say. batch: usage-batch-twin/ (service_tier "batch", the Batch
# API's rates; no project, no cached tokens; a failed request, an error line with no usage and no time of
# its own, at its batch's completed_at); litellm: usage-litellm-twin/ (service_tier "default", no cached
# tokens, a failed call without usage and with its HTTP status); langfuse: usage-jsonl/ itself (every field
# has a place in the export). DuckDB prices by each request's service_tier (bench/'s pipeline.sql joins the
# rate card on it), so agreeing on the twin checks the tier too. The agreement check leaves out source_file
# (the files differ by design); every other column, the quarantine counts and the total must match to the
# last decimal. An export row's Spark/DuckDB ratio is against DuckDB's time on the twin.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

sizes="1000000,10000000"
formats="jsonl,parquet"
reps=3
cores=2
memory=4g
partitions=""
days=14
workflows=10
seed=20261122
data="$ROOT/bench-data"
work="$ROOT/bench-work"
duckdb=1
limits=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --sizes) sizes="$2"; shift 2 ;;
    --formats) formats="$2"; shift 2 ;;
    --reps) reps="$2"; shift 2 ;;
    --cores) cores="$2"; shift 2 ;;
    --memory) memory="$2"; shift 2 ;;
    --shuffle-partitions) partitions="$2"; shift 2 ;;
    --days) days="$2"; shift 2 ;;
    --workflows) workflows="$2"; shift 2 ;;
    --seed) seed="$2"; shift 2 ;;
    --data) data="$2"; shift 2 ;;
    --work) work="$2"; shift 2 ;;
    --rate-limits) limits="$2"; shift 2 ;;
    --skip-duckdb) duckdb=0; shift ;;
    *) echo "bench.sh: unknown option $1 (see the header of $0)" >&2; exit 2 ;;
  esac
done
[[ -x /usr/bin/time ]] || { echo "bench.sh: needs GNU time (/usr/bin/time): apt-get install time" >&2; exit 2; }

BENCH_CP_FILE="$ROOT/bench/target/bench-classpath.txt"
if [[ ! -f "$BENCH_CP_FILE" || -n "$(find "$ROOT/bench/src" "$ROOT/bench/pom.xml" -newer "$BENCH_CP_FILE" -type f -print -quit)" ]]; then
  echo "building bench/ ..." >&2
  (cd "$ROOT" && mvn -B -q -ntp package -DskipTests) >&2
fi
assetcost_build
BENCH_CP="$ROOT/bench/target/classes:$(cat "$BENCH_CP_FILE")"
mkdir -p "$work" "$data"
raw="$work/timings.tsv"
printf 'size\tformat\timpl\trep\tseconds\tpeak_rss_kb\texit\tpeak_local_disk_bytes\n' > "$raw"
phases="$work/duckdb-phases.tsv"
printf 'size\tformat\trep\tfour_tables_seconds\twhole_job_seconds\n' > "$phases"
agreement="$work/agreement.tsv"
: > "$agreement"
failed=0

# export F: true when F is another tool's export (read with --usage-format F), not one of the job's own shapes.
export_format() { [[ $1 == batch || $1 == litellm || $1 == langfuse ]]; }

# twin F: the usage directory DuckDB reads for format F (see the header).
twin() {
  case "$1" in
    batch|litellm) echo "usage-$1-twin" ;;
    langfuse) echo "usage-jsonl" ;;
    *) echo "usage-$1" ;;
  esac
}

# The formats to generate: the ones asked for, and jsonl when langfuse (its twin) is asked for.
gen_formats="$formats"
if [[ ",$formats," == *,langfuse,* && ",$formats," != *,jsonl,* ]]; then gen_formats="$formats,jsonl"; fi

# generate SIZE: data for SIZE requests in every format asked for, reused when the parameters match.
generate() {
  local n="$1" dir="$data/$1"
  local want="\"requests\" : $n,.*\"days\" : $days,.*\"workflows\" : $workflows,.*\"seed\" : $seed,"
  local have=1
  if [[ -f "$dir/generated.json" ]] && tr -d '\n' < "$dir/generated.json" | grep -q "$want"; then
    for f in ${formats//,/ }; do [[ -d "$dir/usage-$f" && -d "$dir/$(twin "$f")" ]] || have=0; done
  else
    have=0
  fi
  if [[ $have == 0 ]]; then
    echo "== generating $n requests ($gen_formats) into $dir" >&2
    ASSETCOST_MASTER="local[$cores]" "$ROOT/scripts/generate-usage.sh" --requests "$n" --days "$days" \
      --workflows "$workflows" --seed "$seed" --formats "$gen_formats" --out "$dir" >&2
  fi
}

# disk_peak OUT DIR...: until killed, the size of the DIRs together every second (one not there yet counts 0);
# OUT holds the largest seen, in bytes, and OUT.tsv the size of each DIR every 20 seconds (unix seconds, then a
# column per DIR, bytes), which tells what the peak is made of.
disk_peak() {
  local out="$1" peak=0 now tick=0 line size d
  shift
  echo 0 > "$out"
  line="unix_seconds"
  for d in "$@"; do line+=$'\t'"$(basename "$d")"; done
  echo "$line" > "$out.tsv"
  while true; do
    now="$(du -sbc "$@" 2>/dev/null | tail -1 | cut -f1 || true)"
    if [[ -n "$now" ]] && (( now > peak )); then peak=$now; echo "$peak" > "$out"; fi
    if (( tick % 20 == 0 )); then
      line="$(date +%s)"
      for d in "$@"; do size="$(du -sb "$d" 2>/dev/null | cut -f1 || true)"; line+=$'\t'"${size:-0}"; done
      echo "$line" >> "$out.tsv"
    fi
    tick=$((tick + 1))
    sleep 1
  done
}

# timed OUTFILE LOG cmd...: runs cmd under GNU time; prints "seconds rss_kb exit".
timed() {
  local tf="$1" log="$2"; shift 2
  local rc=0
  /usr/bin/time -f '%e %M' -o "$tf" "$@" > "$log" 2>&1 || rc=$?
  echo "$(tail -1 "$tf") $rc"
}

for n in ${sizes//,/ }; do
  generate "$n"
  for f in ${formats//,/ }; do
    usage="$data/$n/usage-$f"
    twin_usage="$data/$n/$(twin "$f")"
    spark_format=()
    ignore=()
    if export_format "$f"; then spark_format=(--usage-format "$f"); ignore=(--compare-ignore source_file); fi
    spark_out="$work/spark-$n-$f"
    for rep in $(seq 1 "$reps"); do
      echo "== $n $f spark rep $rep" >&2
      rm -rf "$work/spark-tmp"
      disk_peak "$work/disk.txt" "$work/spark-tmp/spark-local" "$spark_out/_checkpoints" &
      sampler=$!
      read -r s rss rc < <(timed "$work/time.txt" "$work/spark-$n-$f-$rep.log" env ASSETCOST_MASTER="local[$cores]" \
        ASSETCOST_DRIVER_MEMORY="$memory" ASSETCOST_SHUFFLE_PARTITIONS="$partitions" ASSETCOST_CDS="${ASSETCOST_CDS:-0}" \
        ASSETCOST_WORK_DIR="$work/spark-tmp" \
        "$ROOT/scripts/run-local.sh" "${spark_format[@]}" --usage "$usage" --acceptance "$data/$n/acceptance" --out "$spark_out" --full \
        ${limits:+--rate-limits "$limits"})
      kill "$sampler" 2>/dev/null || true
      wait "$sampler" 2>/dev/null || true
      mv "$work/disk.txt.tsv" "$work/disk-$n-$f-$rep.tsv" 2>/dev/null || true
      printf '%s\t%s\tspark\t%s\t%s\t%s\t%s\t%s\n' "$n" "$f" "$rep" "$s" "$rss" "$rc" "$(cat "$work/disk.txt")" >> "$raw"
      [[ $rc == 0 ]] || { echo "spark run failed ($rc): $work/spark-$n-$f-$rep.log" >&2; failed=1; }
      rm -rf "$work/spark-tmp"
      if [[ $duckdb == 1 ]]; then
        echo "== $n $f duckdb rep $rep" >&2
        read -r s rss rc < <(timed "$work/time.txt" "$work/duckdb-$n-$f-$rep.log" java -Xmx512m -cp "$BENCH_CP" \
          io.assetcost.bench.DuckDbCostJob --usage "$twin_usage" --acceptance "$data/$n/acceptance" \
          --out "$work/duckdb-$n-$f" --threads "$cores" --memory-limit "${memory^^}B" ${limits:+--rate-limits "$limits"})
        printf '%s\t%s\tduckdb\t%s\t%s\t%s\t%s\t\n' "$n" "$f" "$rep" "$s" "$rss" "$rc" >> "$raw"
        [[ $rc == 0 ]] || { echo "duckdb run failed ($rc): $work/duckdb-$n-$f-$rep.log" >&2; failed=1; }
        if [[ $rc == 0 ]]; then
          printf '%s\t%s\t%s\t%s\t%s\n' "$n" "$f" "$rep" \
            "$(grep -o '"four_tables_seconds": [0-9.]*' "$work/duckdb-$n-$f/duckdb_summary.json" | grep -o '[0-9.]*$')" \
            "$(grep -o '"whole_job_seconds": [0-9.]*' "$work/duckdb-$n-$f/duckdb_summary.json" | grep -o '[0-9.]*$')" >> "$phases"
        fi
      fi
    done
    if [[ $duckdb == 1 ]]; then
      echo "== $n $f: do both agree?" >&2
      rc=0
      java -Xmx512m -cp "$BENCH_CP" io.assetcost.bench.DuckDbCostJob --usage "$twin_usage" \
        --acceptance "$data/$n/acceptance" --out "$work/duckdb-$n-$f" --threads "$cores" \
        --memory-limit "${memory^^}B" ${limits:+--rate-limits "$limits"} --compare "$spark_out" "${ignore[@]}" \
        > "$work/compare-$n-$f.log" 2>&1 || rc=$?
      if [[ $rc == 0 ]]; then
        total="$(grep -o 'total_cost_usd=[0-9.]*' "$work/compare-$n-$f.log" | cut -d= -f2)"
        printf '%s\t%s\tyes, total $%s\n' "$n" "$f" "$total" >> "$agreement"
      else
        printf '%s\t%s\tNO: see %s\n' "$n" "$f" "$work/compare-$n-$f.log" >> "$agreement"
        failed=1
      fi
    fi
  done
done

# The table: median and spread of wall seconds, requests per second, peak RSS, Spark/DuckDB, agreement.
{
  echo "| requests | input | usage size | acceptance size | implementation | median s | min-max s | requests/s | peak RSS MiB | peak local disk MiB (x input) | Spark/DuckDB | agree |"
  echo "|---:|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---|"
  for n in ${sizes//,/ }; do
    for f in ${formats//,/ }; do
      printf '%s\t%s\t%s\t%s\n' "$n" "$f" "$(du -sb "$data/$n/usage-$f" | cut -f1)" "$(du -sb "$data/$n/acceptance" | cut -f1)"
    done
  done | awk -F'\t' -v raw="$raw" -v agreement="$agreement" '
    function median(list,   v, k, i, j, t) {
      k = split(list, v, " ")
      for (i = 2; i <= k; i++) for (j = i; j > 1 && v[j-1] + 0 > v[j] + 0; j--) { t = v[j]; v[j] = v[j-1]; v[j-1] = t }
      lo = v[1]; hi = v[k]
      return (k % 2) ? v[(k+1)/2] : (v[k/2] + v[k/2+1]) / 2
    }
    BEGIN {
      while ((getline line < raw) > 0) {
        split(line, c, "\t")
        if (c[7] != "0") continue
        key = c[1] SUBSEP c[2] SUBSEP c[3]
        secs[key] = secs[key] " " c[5]
        if (c[6] > rss[key]) rss[key] = c[6]
        if (c[8] + 0 > disk[key]) disk[key] = c[8] + 0
      }
      while ((getline line < agreement) > 0) { split(line, c, "\t"); agree[c[1] SUBSEP c[2]] = c[3] }
    }
    {
      n = $1; f = $2; bytes = $3; acc = $4
      d = (n SUBSEP f SUBSEP "duckdb") in secs ? median(secs[n SUBSEP f SUBSEP "duckdb"]) : 0
      for (i = 1; i <= 2; i++) {
        impl = (i == 1) ? "spark" : "duckdb"
        key = n SUBSEP f SUBSEP impl
        if (!(key in secs)) continue
        med = median(secs[key])
        ratio = (impl == "spark" && d > 0) ? sprintf("%.1fx", med / d) : ""
        dk = (impl == "spark") ? sprintf("%.0f (%.1fx)", disk[key] / 1048576, disk[key] / (bytes + acc)) : ""
        label = (impl == "duckdb" && f ~ /^(batch|litellm|langfuse)$/) ? "duckdb (on its jsonl twin)" : impl
        printf "| %d | %s | %.0f MiB | %.0f MiB | %s | %.1f | %.1f-%.1f | %.0f | %.0f | %s | %s | %s |\n", n, f,
          bytes / 1048576, acc / 1048576, label, med, lo, hi, n / med, rss[key] / 1024, dk, ratio,
          (impl == "spark") ? agree[n SUBSEP f] : ""
      }
    }'
  # Beside the whole job: DuckDB's in-process time for the original four tables and for every table (medians),
  # and Spark/DuckDB on the four tables, DuckDB's wall time less the SQL time of the tables added since.
  awk -F'\t' -v raw="$raw" '
    function median(list,   v, k, i, j, t) {
      k = split(list, v, " ")
      for (i = 2; i <= k; i++) for (j = i; j > 1 && v[j-1] + 0 > v[j] + 0; j--) { t = v[j]; v[j] = v[j-1]; v[j-1] = t }
      return (k % 2) ? v[(k+1)/2] : (v[k/2] + v[k/2+1]) / 2
    }
    BEGIN {
      while ((getline line < raw) > 0) {
        split(line, c, "\t")
        if (c[7] == "0" && c[3] != "impl") wall[c[1] SUBSEP c[2] SUBSEP c[3]] = wall[c[1] SUBSEP c[2] SUBSEP c[3]] " " c[5]
      }
    }
    NR > 1 { key = $1 SUBSEP $2; four[key] = four[key] " " $4; whole[key] = whole[key] " " $5; order[key] = $1 "\t" $2 }
    END {
      for (key in order) {
        split(order[key], k, "\t")
        f = median(four[key]); w = median(whole[key])
        s = median(wall[key SUBSEP "spark"]); d = median(wall[key SUBSEP "duckdb"])
        printf "DuckDB %d %s: four tables %.1f s, whole job %.1f s (in-process SQL and writes, medians);", k[1], k[2], f, w
        if (s > 0 && d > 0) printf " Spark/DuckDB whole job %.1fx, four tables %.1fx", s / d, s / (d - (w - f))
        printf "\n"
      }
    }' "$phases"
} > "$work/bench-table.md"
cat "$work/bench-table.md"
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(java -version 2>&1 | head -1); --cores $cores --memory $memory --shuffle-partitions ${partitions:-sized by the job}" \
  | tee -a "$work/bench-table.md"
exit $failed
