#!/usr/bin/env bash
# File-connector benchmark: one CSV (~1 GB, 10 M lines of ~100 bytes by default) loaded into the same local broker by
#   dsc      `dsc run --c <conf> --fresh`, tasks.max 1 and 2, from the local file, from gs:// (fake-gcs-server),
#            s3a:// (moto) and abfss:// (Azurite): the same file in each
#   kcat     `kcat -P -l <file>` (Debian's kcat, librdkafka defaults)
#   connect  Kafka Connect standalone + FileStreamSource (Maven Central jars, the broker's Kafka version)
# and prints wall time, records/s, MB/s (file bytes / s, 1 MB = 10^6 B), peak RSS (/usr/bin/time -v) and CPU seconds,
# plus each topic's end offset against the line count. A benchmark prints figures; it asserts nothing. Every tool
# writes to a topic of one partition created before its clock starts.
#
#   bash bench/file-load.sh                                 full size
#   BENCH_LINES=200000 bash bench/file-load.sh              quick run
#   BENCH_TOOLS=kcat,connect bash bench/file-load.sh        a subset of the tools (dsc,kcat,connect)
#
# Knobs: BENCH_LINES (10000000), BENCH_TOOLS (dsc,kcat,connect), BENCH_BATCH (FileStreamSource's batch.size, 10000),
# BENCH_DSC_BATCH (dsc's file.reader.batch.size, 10000 as in the seed), BENCH_KEEP_TOPICS=1 keeps the topics afterwards,
# BENCH_DSC_SOURCES ("local gcs s3 azure"), BENCH_DSC_TASKS ("1 2"), BENCH_DSC_HEADERS ("on off": file.reader.provenance.headers),
# BENCH_DSC_DELIVERY ("exactly-once at-least-once": the dsc rows run exactly once, plus local loads at least once),
# BENCH_DSC_ADAPTER (DSC_KAFKA_ADAPTER: wire, or kafkajs), BENCH_KEEP_WORK=1 keeps the temp folder (configs, logs, time -v output).
# Every topic is checked against the file: record count and an order-independent content hash (bench/file/topic-content.mjs).
# Cached: the CSV in ~/.cache/dsc/bench/, Connect jars in ~/.cache/dsc/connect-<kafka version>/.
# The broker and the loaders share this machine's cores, and so do any tests running at the same time.
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

LINES="${BENCH_LINES:-10000000}"
WANTED=",${BENCH_TOOLS:-dsc,kcat,connect},"
BATCH="${BENCH_BATCH:-10000}"
# The seed's value; dsc cuts record batches below the broker's message.max.bytes (shared/kafka/port/kafka-port.ts).
DSC_BATCH="${BENCH_DSC_BATCH:-10000}"
OFFSETS=("$NODE" "$ROOT/bench/file/topic-offsets.mjs")
BUCKET=bench
RUN_ID="$(date +%Y%m%d-%H%M%S)"
bench_work dsc-bench
TOPICS=()

cleanup() {
  local pid
  for pid in ${CONNECT_PID:-}; do kill "$pid" 2>/dev/null || true; done
  [[ "${BENCH_KEEP_TOPICS:-0}" == 1 ]] || delete_topics "${TOPICS[@]}"
  remove_work "${BENCH_KEEP_WORK:-0}"
}
trap cleanup EXIT

positive_int BENCH_LINES "$LINES"
positive_int BENCH_BATCH "$BATCH"
positive_int BENCH_DSC_BATCH "$DSC_BATCH"
require_node

# --- prerequisites -------------------------------------------------------------------------------------------------
[[ -x /usr/bin/time ]] || apt_install /usr/bin/time time
wants kcat && apt_install kcat kcat
command -v curl >/dev/null || die "curl not found"
DSC_SOURCES="${BENCH_DSC_SOURCES:-local gcs s3 azure}"
cloud_probes=()
[[ " $DSC_SOURCES " == *" s3 "* ]] && cloud_probes+=(5050)
[[ " $DSC_SOURCES " == *" azure "* ]] && cloud_probes+=(10000)
services_up 9092 http://127.0.0.1:4443/storage/v1/b "${cloud_probes[@]}"
BROKERS="${KAFKA_BROKERS:-127.0.0.1:9092}"
GCS="${STORAGE_EMULATOR_HOST:-http://127.0.0.1:4443}"

# --- data: generated once per size, kept locally and uploaded to fake-gcs-server ------------------------------------
CSV="$(persons_csv "$LINES")"
BYTES="$(stat -c %s "$CSV")"
OBJECT="persons-$LINES.csv"

# 409 when the bucket exists: fine. The memory backend forgets objects on restart, so compare sizes before uploading.
curl -sS -o /dev/null -X POST -H 'Content-Type: application/json' -d "{\"name\":\"$BUCKET\"}" "$GCS/storage/v1/b" || true
remote_size="$(curl -sS "$GCS/storage/v1/b/$BUCKET/o/$OBJECT" 2>/dev/null | sed -n 's/.*"size": *"\([0-9]*\)".*/\1/p' || true)"
if [[ "$remote_size" != "$BYTES" ]]; then
  say "uploading gs://$BUCKET/$OBJECT ($BYTES bytes) to $GCS"
  # -T streams the file (--data-binary would read 1 GB into curl's memory first).
  curl -sS -f -o /dev/null -X POST -H 'Content-Type: text/csv' -T "$CSV" \
    "$GCS/upload/storage/v1/b/$BUCKET/o?uploadType=media&name=$OBJECT" || die "upload to $GCS failed"
fi

# The same file on the S3 and Azure emulators (in memory: uploaded again after a restart).
for cloud in s3 azure; do
  if wants dsc && [[ " $DSC_SOURCES " == *" $cloud "* ]]; then
    "$NODE" bench/file/cloud-upload.mjs "$cloud" "$BUCKET" "$OBJECT" "$CSV" || die "upload to the $cloud emulator failed"
  fi
done

# --- Kafka Connect jars (Maven Central, cached per version) ----------------------------------------------------------
CONNECT_LIBS="$CACHE/connect-$KAFKA_VERSION/libs"
if wants connect; then maven_libs connect bench/peers/pom.xml connect-file "Kafka Connect (connect-runtime, connect-file)"; fi

# Always: the content check reads topics through dsc's consumer (dist/).
build_dsc

# --- measuring -----------------------------------------------------------------------------------------------------
# $1 tool, $2 source, $3 tasks, $4 topic, $5 seconds, $6 time -v output
record() { printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$5" "$(rss_kb "$6")" "$(cpu_s "$6")" >>"$RESULTS"; }

run_dsc() { # $1 source (local|gcs|s3|azure), $2 tasks, $3 headers (on|off), $4 delivery (exactly-once|at-least-once)
  local source="$1" tasks="$2" headers="$3" delivery="${4:-exactly-once}" t0 t1 uri
  local topic="bench-dsc-$1-t$2-h$3-${delivery%%-*}-$RUN_ID" dir="$WORK/dsc-$1-$2-$3-$delivery"
  local cloud_keys=""
  case "$source" in
    local) uri="$CSV" ;;
    gcs) uri="gs://$BUCKET/$OBJECT" ;;
    s3)
      uri="s3a://$BUCKET/$OBJECT"
      cloud_keys="file.reader.settings.fs.s3a.access.key=$DSC_TEST_S3_ACCESS_KEY
file.reader.settings.fs.s3a.secret.key=$DSC_TEST_S3_SECRET_KEY
file.reader.settings.fs.s3a.endpoint=$DSC_TEST_S3_ENDPOINT
file.reader.settings.fs.s3a.endpoint.region=$DSC_TEST_S3_REGION
file.reader.settings.fs.s3a.path.style.access=true"
      ;;
    azure)
      uri="abfss://$BUCKET@$DSC_TEST_AZURE_ACCOUNT.dfs.core.windows.net/$OBJECT"
      local az_host="${DSC_TEST_AZURE_ENDPOINT#http://}"
      cloud_keys="file.reader.settings.fs.azure.account.key.$DSC_TEST_AZURE_ACCOUNT.dfs.core.windows.net=$DSC_TEST_AZURE_KEY
file.reader.settings.fs.azure.abfs.endpoint=${az_host%%/*}
file.reader.settings.fs.azure.always.use.https=false"
      ;;
    *) die "BENCH_DSC_SOURCES: local, gcs, s3 or azure, not '$source'" ;;
  esac
  mkdir -p "$dir"
  # Created before the clock starts, as kcat's and Connect's are (dsc finds it and leaves it as it is).
  "${OFFSETS[@]}" create "$topic" 1
  cat >"$dir/bench.conf" <<EOF
connector.class=com.tigergraph.kafka.connect.filesystem.FsSourceConnector
mode=eof
file.regexp=".*"
file.reader.type=text
file.reader.batch.size=$DSC_BATCH
file.reader.text.header=false
file.reader.provenance.headers=$([[ "$headers" == on ]] && echo true || echo false)
exactly.once.source.support=$([[ "$delivery" == exactly-once ]] && echo enabled || echo disabled)
$cloud_keys
[connector_bench]
name=$topic
tasks.max=$tasks
topic=$topic
file.uris=$uri
EOF
  TOPICS+=("$topic")
  say "dsc: $uri, tasks.max=$tasks, headers $headers, $delivery -> $topic"
  t0="$(now)"
  # The node process itself (what `npm run dsc` runs), so npm's own start-up and RSS are not counted.
  DSC_KAFKA_ADAPTER="${BENCH_DSC_ADAPTER:-wire}" DSC_STATE_DIR="$dir/state" /usr/bin/time -v -o "$dir/time.txt" \
    "$NODE" --no-warnings=ExperimentalWarning bin/dsc.js run --c "$dir/bench.conf" --fresh --json \
    >"$dir/out.json" 2>"$dir/err.log" ||
    { say "dsc run failed (exit $?):"; tail -n 20 "$dir/err.log" "$dir/out.json" >&2; }
  t1="$(now)"
  local tool="dsc(h-$headers)"
  [[ "$delivery" == exactly-once ]] || tool="dsc(h-$headers,$delivery)"
  record "$tool" "$source" "$tasks" "$topic" "$(echo "$t1 - $t0" | bc)" "$dir/time.txt"
}

run_kcat() {
  local topic="bench-kcat-local-$RUN_ID" t0 t1
  TOPICS+=("$topic")
  "${OFFSETS[@]}" create "$topic" 1
  say "kcat: -P -l $CSV -> $topic"
  t0="$(now)"
  # librdkafka defaults (printed below); kcat flushes every outstanding message before it exits.
  /usr/bin/time -v -o "$WORK/kcat-time.txt" kcat -P -b "$BROKERS" -t "$topic" -l "$CSV" 2>"$WORK/kcat.log" ||
    { say "kcat failed:"; tail -n 20 "$WORK/kcat.log" >&2; }
  t1="$(now)"
  record kcat local 1 "$topic" "$(echo "$t1 - $t0" | bc)" "$WORK/kcat-time.txt"
}

run_connect() {
  local topic="bench-connect-local-$RUN_ID" dir="$WORK/connect" t0 t1 time_pid
  mkdir -p "$dir"
  TOPICS+=("$topic")
  "${OFFSETS[@]}" create "$topic" 1
  cat >"$dir/worker.properties" <<EOF
bootstrap.servers=$BROKERS
key.converter=org.apache.kafka.connect.converters.ByteArrayConverter
value.converter=org.apache.kafka.connect.storage.StringConverter
offset.storage.file.filename=$dir/connect.offsets
offset.flush.interval.ms=10000
listeners=http://127.0.0.1:0
# every plugin on this classpath has a ServiceLoader manifest: skips a ~4 s reflective scan at start-up
plugin.discovery=service_load
EOF
  cat >"$dir/file-source.properties" <<EOF
name=bench-file-source
connector.class=org.apache.kafka.connect.file.FileStreamSourceConnector
tasks.max=1
file=$CSV
topic=$topic
batch.size=$BATCH
EOF
  say "connect: FileStreamSource $CSV (batch.size=$BATCH) -> $topic"
  t0="$(now)"
  # Heap and GC flags as connect-standalone.sh / kafka-run-class.sh set them.
  /usr/bin/time -v -o "$dir/time.txt" "$JAVA" -Xms256M -Xmx2G -server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 \
    -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent -XX:MaxInlineLevel=15 \
    -Djava.awt.headless=true -Dlog4j2.configurationFile="$ROOT/bench/file/connect-log4j2.properties" \
    -Dbench.connect.log="$dir/connect.log" -cp "$CONNECT_LIBS/*" \
    org.apache.kafka.connect.cli.ConnectStandalone "$dir/worker.properties" "$dir/file-source.properties" \
    >"$dir/stdout.log" 2>&1 &
  time_pid=$!
  sleep 0.2
  CONNECT_PID="$(pgrep -P "$time_pid" || true)"
  # FileStreamSource never finishes by itself: it is done when the topic holds every line.
  if ! "${OFFSETS[@]}" wait "$topic" "$LINES" 3600 >/dev/null; then
    say "connect did not deliver every line; its log:"
    tail -n 20 "$dir/connect.log" >&2
  fi
  t1="$(now)"
  [[ -n "$CONNECT_PID" ]] && kill -TERM "$CONNECT_PID" 2>/dev/null
  wait "$time_pid" || true
  CONNECT_PID=""
  record connect local 1 "$topic" "$(echo "$t1 - $t0" | bc)" "$dir/time.txt"
  # Where the worker's time goes: JVM + worker start-up before the task's first poll, then the load itself.
  local started
  started="$(sed -n 's/^\[\([0-9-]* [0-9:]*\),\([0-9]*\)\] INFO .*Source task finished initialization and start.*/\1.\2/p' \
    "$dir/connect.log" | head -1)"
  if [[ -n "$started" ]]; then
    CONNECT_SPLIT="$(awk -v a="$(date -d "$started" +%s.%N)" -v t0="$t0" -v t1="$t1" -v n="$LINES" 'BEGIN {
      printf "start-up %.1f s, then %.1f s from task start to the last record (%.0f records/s)", a - t0, t1 - a, n / (t1 - a) }')"
  fi
}

LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"
if wants kcat; then run_kcat; fi
if wants connect; then run_connect; fi
if wants dsc; then
  for source in $DSC_SOURCES; do
    for tasks in ${BENCH_DSC_TASKS:-1 2}; do
      for headers in ${BENCH_DSC_HEADERS:-on off}; do run_dsc "$source" "$tasks" "$headers"; done
    done
  done
  # The cost of exactly once: the same local loads without transactions (exactly.once.source.support=disabled).
  if [[ " ${BENCH_DSC_DELIVERY:-exactly-once at-least-once} " == *" at-least-once "* ]]; then
    for tasks in ${BENCH_DSC_TASKS:-1 2}; do run_dsc local "$tasks" on at-least-once; done
  fi
fi

# --- report --------------------------------------------------------------------------------------------------------
mem_gib="$(awk '/MemTotal/ { printf "%.1f", $2 / 1048576 }' /proc/meminfo)"
cpu_model="$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)"
echo
echo "Machine: $(nproc) CPUs ($cpu_model), ${mem_gib} GiB RAM, $(uname -sr);" \
  "load average $LOAD_BEFORE before the runs, $(cut -d' ' -f1-3 /proc/loadavg) after (other work on the machine skews figures)"
echo "Input:   $CSV: $LINES lines, $BYTES bytes ($(awk -v b="$BYTES" -v n="$LINES" 'BEGIN { printf "%.0f", b / n }') B/line);" \
  "the same file as gs://$BUCKET/$OBJECT (fake-gcs-server), s3a://$BUCKET/$OBJECT (moto), abfss://$BUCKET@... (Azurite), all in memory"
echo "Broker:  Kafka $KAFKA_VERSION at $BROKERS (single KRaft node on this machine), every topic 1 partition"
echo "Versions: node $("$NODE" --version), $("$JAVA" -version 2>&1 | head -1),"\
  "kcat $(kcat -V 2>&1 | sed -n 's/^Version \([^ ]*\).*librdkafka \([^ ]*\).*/\1 (librdkafka \2)/p')"
echo "Settings: dsc file.reader.batch.size=$DSC_BATCH; kcat librdkafka defaults" \
  "($(kcat -P -b "$BROKERS" -t x -X dump 2>/dev/null | awk -F' = ' '
      $1 == "queue.buffering.max.ms" || $1 == "batch.num.messages" || $1 == "batch.size" || $1 == "request.required.acks" {
        printf "%s%s=%s", sep, $1, $2; sep = ", " }'));"
echo "          Connect FileStreamSource batch.size=$BATCH, producer defaults (linger.ms=5, batch.size=16384, acks=all)," \
  "-Xmx2G G1; its time includes JVM start-up and ends when the topic holds every line${CONNECT_SPLIT:+:}"
[[ -n "${CONNECT_SPLIT:-}" ]] && echo "          Connect: $CONNECT_SPLIT"
echo
mismatches=0
TABLE="$WORK/table.tsv"
printf 'tool\tsource\ttasks\trecords\tcontent\tseconds\trecords/s\tMB/s\tpeak RSS MB\tCPU s\tCPU s/GB\n' >"$TABLE"
while IFS=$'\t' read -r tool source tasks topic seconds rss cpu; do
  # Count and content hash of the topic (read_committed) against the file's lines; not offsets, which transaction
  # markers take too.
  check="$("$NODE" "$ROOT/bench/file/topic-content.mjs" "$CSV" "$topic" </dev/null 2>/dev/null || true)"
  records="$(awk '{ print $3 }' <<<"$check")"
  content="$(awk '{ print $5 }' <<<"$check")"
  if [[ "$records" != "$LINES" || "$content" != ok ]]; then mismatches=$((mismatches + 1)); fi
  awk -v t="$tool" -v s="$source" -v k="$tasks" -v r="$records" -v c="${content:-?}" -v sec="$seconds" -v b="$BYTES" \
    -v rss="${rss:-0}" -v cpu="$cpu" -v n="$LINES" 'BEGIN {
      printf "%s\t%s\t%s\t%s\t%s\t%.1f\t%.0f\t%.1f\t%.0f\t%s\t%.2f\n", t, s, k, r, c, sec, n / sec, b / 1e6 / sec,
        rss / 1024, cpu, cpu / (b / 1e9) }' >>"$TABLE"
done <"$RESULTS"
column -t -s $'\t' "$TABLE"
echo
if [[ "$mismatches" -gt 0 ]]; then
  echo "!!!!!!!! MISMATCH: $mismatches run(s) did not put exactly the file's $LINES lines on their topic (records/content) !!!!!!!!"
else
  echo "Content: every topic holds exactly the file's $LINES lines (end offset, count and content hash)."
fi
