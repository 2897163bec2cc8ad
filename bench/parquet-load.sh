#!/usr/bin/env bash
# Parquet benchmark: one Parquet file (~1 GB by default: 23 M rows of 10 mixed columns, snappy, ~128 MB row groups,
# bench/parquet/generate.py) loaded into the same local broker by
#   dsc       `dsc run --c <conf> --fresh`, file.reader.type=parquet, tasks.max 1 and 2 (exactly once)
#   duckdb    the pipeline a user would otherwise run: DuckDB (PyPI) exports the file as JSON lines to stdout, which
#             `kcat -P -l /dev/stdin` sends (librdkafka defaults)
# and prints wall time, rows/s, MB/s (Parquet bytes / s), peak RSS and CPU seconds (/usr/bin/time -v; for the pipeline
# its largest process and the CPU of both), and CPU s per GB of Parquet. Each topic is checked row by row in content
# against DuckDB's export of the file (bench/parquet/topic-rows.mjs: count and an order-independent digest). A
# benchmark prints figures; it asserts nothing. Every tool writes to a topic of one partition created before its clock
# starts.
#
#   bash bench/parquet-load.sh                              full size (23 M rows, ~1 GB)
#   BENCH_ROWS=2900000 bash bench/parquet-load.sh           one row group (~128 MB)
#
# Knobs: BENCH_ROWS (23000000), BENCH_TOOLS (dsc,duckdb), BENCH_DSC_TASKS ("1 2"), BENCH_DSC_BATCH
# (file.reader.batch.size, 10000), BENCH_KEEP_TOPICS=1, BENCH_KEEP_WORK=1 (configs, logs, time -v output),
# BENCH_CHECK_TIMEOUT_S (1800: a topic's content check that takes longer is reported unchecked),
# BENCH_CHECK_STALL_S (60: a check whose read position stops moving that long ends, naming the offset).
# Cached: the venv (pyarrow, duckdb) in ~/.cache/dsc/parquet-venv, the file and its export digest in ~/.cache/dsc/bench/.
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
SAY_PREFIX=parquet-bench

ROWS="${BENCH_ROWS:-23000000}"
WANTED=",${BENCH_TOOLS:-dsc,duckdb},"
DSC_BATCH="${BENCH_DSC_BATCH:-10000}"
OFFSETS=("$NODE" "$ROOT/bench/file/topic-offsets.mjs")
CHECK=("$NODE" "$ROOT/bench/parquet/topic-rows.mjs")
CHECK_TIMEOUT="${BENCH_CHECK_TIMEOUT_S:-1800}"
VENV="$CACHE/parquet-venv"
PY="$VENV/bin/python"
RUN_ID="$(date +%Y%m%d-%H%M%S)"
bench_work dsc-parquet-bench
TOPICS=()

cleanup() {
  [[ "${BENCH_KEEP_TOPICS:-0}" == 1 ]] || delete_topics "${TOPICS[@]}"
  remove_work "${BENCH_KEEP_WORK:-0}"
}
trap cleanup EXIT

positive_int BENCH_ROWS "$ROWS"
positive_int BENCH_DSC_BATCH "$DSC_BATCH"
positive_int BENCH_CHECK_TIMEOUT_S "$CHECK_TIMEOUT"
require_node

# --- prerequisites -------------------------------------------------------------------------------------------------
[[ -x /usr/bin/time ]] || apt_install /usr/bin/time time
wants duckdb && apt_install kcat kcat
if ! "$PY" -c 'import pyarrow, duckdb' 2>/dev/null; then
  say "creating $VENV (pyarrow, duckdb from PyPI)"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q pyarrow duckdb
fi
services_up 9092
BROKERS="${KAFKA_BROKERS:-127.0.0.1:9092}"
build_dsc

# --- data: generated once per size ---------------------------------------------------------------------------------
FILE="$CACHE/bench/mixed-$ROWS.parquet"
mkdir -p "$CACHE/bench"
if [[ ! -f "$FILE" ]]; then
  say "generating $FILE ($ROWS rows; minutes for the full size)"
  "$PY" bench/parquet/generate.py "$FILE.tmp" "$ROWS"
  mv "$FILE.tmp" "$FILE"
fi
BYTES="$(stat -c %s "$FILE")"
ROW_GROUPS="$("$PY" -c "import pyarrow.parquet as pq, sys; print(pq.ParquetFile(sys.argv[1]).metadata.num_row_groups)" "$FILE")"
# DuckDB draws a progress bar on stdout unless told not to.
export_json() {
  "$PY" -c "import duckdb, sys; c = duckdb.connect(); c.execute('SET enable_progress_bar = false'); c.sql(f\"COPY (SELECT * FROM read_parquet('{sys.argv[1]}')) TO '/dev/stdout' (FORMAT json)\")" "$FILE"
}
# What every topic must hold: DuckDB's export, canonical row by row (cached beside the file).
DIGEST_FILE="$FILE.rows-digest"
if [[ ! -f "$DIGEST_FILE" || "$DIGEST_FILE" -ot "$FILE" ]]; then
  say "digest of DuckDB's JSON export of the file (once per file)"
  export_json | "${CHECK[@]}" digest >"$DIGEST_FILE.tmp"
  mv "$DIGEST_FILE.tmp" "$DIGEST_FILE"
fi
WANT="$(cat "$DIGEST_FILE")"

# --- measuring -----------------------------------------------------------------------------------------------------
# $1 tool, $2 tasks, $3 topic, $4 seconds, $5 time -v output
record() { printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$(rss_kb "$5")" "$(cpu_s "$5")" >>"$RESULTS"; }

run_dsc() { # $1 tasks
  local tasks="$1" t0 t1 topic="bench-pq-dsc-t$1-$RUN_ID" dir="$WORK/dsc-$1"
  mkdir -p "$dir"
  "${OFFSETS[@]}" create "$topic" 1
  cat >"$dir/bench.conf" <<CONF
connector.class=com.tigergraph.kafka.connect.filesystem.FsSourceConnector
mode=eof
file.reader.type=parquet
file.reader.batch.size=$DSC_BATCH
[connector_bench]
name=$topic
tasks.max=$tasks
topic=$topic
file.uris=$FILE
CONF
  TOPICS+=("$topic")
  say "dsc: $FILE, tasks.max=$tasks -> $topic"
  t0="$(now)"
  DSC_STATE_DIR="$dir/state" /usr/bin/time -v -o "$dir/time.txt" \
    "$NODE" --no-warnings=ExperimentalWarning bin/dsc.js run --c "$dir/bench.conf" --fresh --json \
    >"$dir/out.json" 2>"$dir/err.log" ||
    { say "dsc run failed (exit $?):"; tail -n 20 "$dir/err.log" "$dir/out.json" >&2; }
  t1="$(now)"
  record dsc "$tasks" "$topic" "$(echo "$t1 - $t0" | bc)" "$dir/time.txt"
}

run_duckdb() {
  local topic="bench-pq-duckdb-kcat-$RUN_ID" t0 t1
  TOPICS+=("$topic")
  "${OFFSETS[@]}" create "$topic" 1
  say "duckdb | kcat: $FILE -> $topic"
  export -f export_json
  export PY FILE
  t0="$(now)"
  # time -v reports the pipeline's largest process as peak RSS and the CPU of both.
  /usr/bin/time -v -o "$WORK/duckdb-time.txt" bash -c \
    "set -o pipefail; export_json | kcat -P -b '$BROKERS' -t '$topic' -l /dev/stdin" 2>"$WORK/duckdb.log" ||
    { say "duckdb | kcat failed:"; tail -n 20 "$WORK/duckdb.log" >&2; }
  t1="$(now)"
  record "duckdb|kcat" 1 "$topic" "$(echo "$t1 - $t0" | bc)" "$WORK/duckdb-time.txt"
}

LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"
if wants duckdb; then run_duckdb; fi
if wants dsc; then for tasks in ${BENCH_DSC_TASKS:-1 2}; do run_dsc "$tasks"; done; fi
LOAD_AFTER="$(cut -d' ' -f1-3 /proc/loadavg)"

# --- report --------------------------------------------------------------------------------------------------------
mem_gib="$(awk '/MemTotal/ { printf "%.1f", $2 / 1048576 }' /proc/meminfo)"
cpu_model="$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)"
echo
echo "Machine: $(nproc) CPUs ($cpu_model), ${mem_gib} GiB RAM, $(uname -sr);" \
  "load average $LOAD_BEFORE before the runs, $LOAD_AFTER after (other work on the machine skews figures)"
echo "Input:   $FILE: $ROWS rows, $BYTES bytes, $ROW_GROUPS row groups, snappy (bench/parquet/generate.py)"
echo "Broker:  Kafka at $BROKERS (single KRaft node on this machine), every topic 1 partition"
echo "Versions: node $("$NODE" --version), duckdb $("$PY" -c 'import duckdb; print(duckdb.__version__)')," \
  "pyarrow $("$PY" -c 'import pyarrow; print(pyarrow.__version__)'), kcat $(kcat -V 2>&1 | sed -n 's/^Version \([^ ]*\).*librdkafka \([^ ]*\).*/\1 (librdkafka \2)/p')"
echo "Settings: dsc file.reader.batch.size=$DSC_BATCH, exactly once; kcat librdkafka defaults"
echo
mismatches=0
TABLE="$WORK/table.tsv"
printf 'tool\ttasks\trows\tcontent\tseconds\trows/s\tMB/s\tpeak RSS MB\tCPU s\tCPU s/GB\n' >"$TABLE"
while IFS=$'\t' read -r tool tasks topic seconds rss cpu; do
  say "checking $topic against the export"
  check_log="$WORK/check-$tool-$tasks.log"
  have="$(timeout "$CHECK_TIMEOUT" "${CHECK[@]}" topic "$topic" </dev/null 2>"$check_log")" && check=0 || check=$?
  records="${have%% *}"
  content=MISMATCH
  [[ "$have" == "$WANT" ]] && content=ok
  # A check that could not finish says so (and why, in its log) rather than passing for a mismatch.
  if [[ "$check" -ne 0 ]]; then
    [[ "$check" -eq 124 ]] && content="unchecked (over ${CHECK_TIMEOUT}s)" || content="unchecked (exit $check)"
    records=?
    tail -n 3 "$check_log" >&2
  fi
  [[ "$content" == ok && "$records" == "$ROWS" ]] || mismatches=$((mismatches + 1))
  awk -v t="$tool" -v k="$tasks" -v r="$records" -v c="$content" -v sec="$seconds" -v b="$BYTES" \
    -v rss="${rss:-0}" -v cpu="$cpu" -v n="$ROWS" 'BEGIN {
      printf "%s\t%s\t%s\t%s\t%.1f\t%.0f\t%.1f\t%.0f\t%s\t%.1f\n", t, k, r, c, sec, n / sec, b / 1e6 / sec,
        rss / 1024, cpu, cpu / (b / 1e9) }' >>"$TABLE"
done <"$RESULTS"
column -t -s $'\t' "$TABLE"
echo
if [[ "$mismatches" -gt 0 ]]; then
  echo "!!!!!!!! MISMATCH: $mismatches run(s) not shown to hold exactly the file's $ROWS rows (wrong, or unchecked) !!!!!!!!"
else
  echo "Content: every topic holds exactly the file's $ROWS rows (count and canonical row digest against DuckDB's export)."
fi
