#!/usr/bin/env bash
# Mirror benchmark: one source topic (1 M records of 200 bytes over 6 partitions by default, written by Kafka's own
# ProducerPerformance) copied from the source cluster (127.0.0.1:19092) to the target cluster (127.0.0.1:9092) by
#   dsc      `node dist/functions/mirror.js` (the container entry) on a connector created with `dsc create --c`
#   mm2      Apache Kafka's MirrorMaker 2 in dedicated mode (org.apache.kafka.connect.mirror.MirrorMaker), the
#            brokers' Kafka version from Maven Central
# each with tasks.max 1 and 3; then Avro → JSON end to end: topics of Avro Orders (bench/mirror/orders.mjs: 14 fields,
# nested record, enum, array of records, map, unions with null, decimals, timestamps, date), one in the Confluent wire
# format with the schema in the registry, one in single-object encoding with the schema in the connector's
# configuration ("embedded"), each mirrored by
#   dsc-avro  dsc with TigerGraphAvroConverter / TigerGraphAvroConverterWithoutSchemaRegistry
#   mm2-avro  MirrorMaker 2 with a Java value converter doing what TigerGraph's converter does (Apache Avro's
#             GenericDatumReader + GenericData's JSON; bench/peers/avro/TigerGraphStyleAvroConverter.java), built
#             here with javac against Apache Avro from Maven Central
# and the two JSON outputs compared record by record (bench/mirror/avro-json-check.mjs, by-design differences as
# documented rules); plus the conversion rate alone (bench/mirror-avro-bench.ts) and a no-Kafka check of every Avro
# type against the Java decoder.
# Each mirror run starts a fresh process on a fresh target topic and ends when the target's end offsets sum to the
# source count (then SIGTERM). Prints wall time (process start → last record on the target), records/s, MB/s (record
# values, 1 MB = 10^6 B), peak RSS (/usr/bin/time -v), CPU seconds of the mirror and of the whole machine during the
# run (contention shows there), and the time to the first record on the target, and after the table each dsc run's CPU
# seconds by thread (main, conversion threads, V8's helper threads; threads.txt in its folder); then compares every target
# partition's end offset with the source's, and a content digest of every partition (key, value, headers, timestamp in
# offset order; bench/mirror/topic-digest.mjs) with the source's. A benchmark prints figures; it asserts nothing.
#
#   bash bench/mirror-load.sh                                   full size (1 M records)
#   BENCH_RECORDS=200000 bash bench/mirror-load.sh              quick run
#   BENCH_TOOLS=dsc BENCH_TASKS=1 bash bench/mirror-load.sh     a subset (tools below; tasks any list)
#
# Knobs: BENCH_RECORDS (1000000), BENCH_RECORD_SIZE (200), BENCH_PARTITIONS (6),
# BENCH_TOOLS (dsc,dsc-alo,mm2,dsc-avro,mm2-avro,avro-alone; dsc runs exactly once, the default; dsc-alo with
# exactly.once.source.support=disabled; `avro` = dsc-avro,avro-alone), BENCH_AVRO_MODES ("registry embedded"),
# BENCH_AVRO_THREADS ("1,2": the conversion alone also on that many worker threads at once),
# BENCH_TASKS ("1 3"), BENCH_AVRO_RECORDS (1000000, conversion alone), BENCH_AVRO_E2E_RECORDS (1000000, end to end),
# BENCH_TIMEOUT (seconds per mirror run, 600),
# BENCH_CPU_PROF=1 writes a V8 CPU profile of every dsc run into the work folder (implies BENCH_KEEP_WORK=1),
# NODE_OPTIONS reaches dsc's process (e.g. --require a patch to measure a fix; the table's Settings line shows it),
# so does DSC_MIRROR_CONVERSION_THREADS (dsc-avro's conversion threads; default one per task up to the cores less one, at least one on 2+ cores),
# BENCH_KEEP_TOPICS=1 keeps the topics afterwards, BENCH_KEEP_WORK=1 keeps the temp folder (configs, logs, time -v).
# Cached: MirrorMaker jars in ~/.cache/dsc/mm2-<kafka version>/. Both clusters and the mirrors share this machine's
# cores, and so do any tests running at the same time.
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

RECORDS="${BENCH_RECORDS:-1000000}"
RECORD_SIZE="${BENCH_RECORD_SIZE:-200}"
PARTITIONS="${BENCH_PARTITIONS:-6}"
WANTED=",${BENCH_TOOLS:-dsc,dsc-alo,mm2,dsc-avro,mm2-avro,avro-alone},"
[[ "$WANTED" == *,avro,* ]] && WANTED+="dsc-avro,avro-alone,"
AVRO_MODES="${BENCH_AVRO_MODES:-registry embedded}"
AVRO_THREADS="${BENCH_AVRO_THREADS:-1,2}"
TASKS_LIST="${BENCH_TASKS:-1 3}"
AVRO_RECORDS="${BENCH_AVRO_RECORDS:-1000000}"
AVRO_E2E_RECORDS="${BENCH_AVRO_E2E_RECORDS:-1000000}"
TIMEOUT="${BENCH_TIMEOUT:-600}"
CPU_PROF="${BENCH_CPU_PROF:-0}"
[[ "$CPU_PROF" == 1 ]] && BENCH_KEEP_WORK=1
ADMIN=("$NODE" "$ROOT/bench/mirror/kafka-admin.mjs")
# Letters and digits only: MirrorMaker cluster aliases appear in its config keys (`a->b.enabled`).
RUN="$(date +%m%d%H%M%S)"
SOURCE_TOPIC="bench-mirror-$RUN"
AVRO_TOPIC="bench-mirror-avro-$RUN"
EMBEDDED_TOPIC="bench-mirror-avroemb-$RUN"
avro_topic() { if [[ "$1" == embedded ]]; then echo "$EMBEDDED_TOPIC"; else echo "$AVRO_TOPIC"; fi; }
bench_work dsc-mirror-bench
TARGET_TOPICS=()
declare -A AVRO_TARGETS=()
SOURCE_GROUPS=()
TARGET_GROUPS=()
PIDS=()

cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  if [[ "${BENCH_KEEP_TOPICS:-0}" != 1 && -n "${SOURCE:-}" ]]; then
    # Ours: the source topic, every target topic, and the MirrorMaker internal topics named with this run's aliases;
    # `heartbeats` only where it did not exist before this run.
    local src_del=("$SOURCE_TOPIC" "$AVRO_TOPIC" "$EMBEDDED_TOPIC") dst_del=("${TARGET_TOPICS[@]}") t
    while read -r t; do [[ "$t" == *"$RUN"* ]] && src_del+=("$t"); done < <("${ADMIN[@]}" topics "$SOURCE" 2>/dev/null)
    while read -r t; do [[ "$t" == *"$RUN"* ]] && dst_del+=("$t"); done < <("${ADMIN[@]}" topics "$TARGET" 2>/dev/null)
    [[ -f "$WORK/src-topics-before" ]] && ! grep -qx heartbeats "$WORK/src-topics-before" && src_del+=(heartbeats)
    [[ -f "$WORK/dst-topics-before" ]] && ! grep -qx heartbeats "$WORK/dst-topics-before" && dst_del+=(heartbeats)
    # Each name once: the broker refuses a delete request that names a topic twice.
    mapfile -t src_del < <(printf '%s\n' "${src_del[@]}" | sort -u)
    mapfile -t dst_del < <(printf '%s\n' "${dst_del[@]}" | sort -u)
    "${ADMIN[@]}" delete "$SOURCE" "${src_del[@]}" >/dev/null || say "could not delete source topics ${src_del[*]}"
    "${ADMIN[@]}" delete "$TARGET" "${dst_del[@]}" >/dev/null || say "could not delete target topics ${dst_del[*]}"
    # dsc's consumer groups on the source, MirrorMaker's worker groups on the target.
    [[ ${#SOURCE_GROUPS[@]} -gt 0 ]] && "${ADMIN[@]}" delete-groups "$SOURCE" "${SOURCE_GROUPS[@]}" >/dev/null 2>&1
    [[ ${#TARGET_GROUPS[@]} -gt 0 ]] && "${ADMIN[@]}" delete-groups "$TARGET" "${TARGET_GROUPS[@]}" >/dev/null 2>&1
  fi
  remove_work "${BENCH_KEEP_WORK:-0}"
}
trap cleanup EXIT

for knob in RECORDS RECORD_SIZE PARTITIONS AVRO_RECORDS AVRO_E2E_RECORDS TIMEOUT; do positive_int "BENCH_$knob" "${!knob}"; done
for tasks in $TASKS_LIST; do [[ "$tasks" =~ ^[1-9][0-9]*$ ]] || die "BENCH_TASKS: '$tasks' is not a task count"; done
require_node

# --- prerequisites -------------------------------------------------------------------------------------------------
[[ -x /usr/bin/time ]] || apt_install /usr/bin/time time
services_up 9092 19092
SOURCE="${SOURCE_KAFKA_BROKERS:-127.0.0.1:19092}"
TARGET="${KAFKA_BROKERS:-127.0.0.1:9092}"
[[ -n "${KAFKA_LIBS:-}" && -f "$KAFKA_LIBS/kafka-tools-$KAFKA_VERSION.jar" ]] ||
  die "kafka-tools-$KAFKA_VERSION.jar not in KAFKA_LIBS='${KAFKA_LIBS:-}' (services.env): ProducerPerformance lives there"
"${ADMIN[@]}" topics "$SOURCE" >"$WORK/src-topics-before"
"${ADMIN[@]}" topics "$TARGET" >"$WORK/dst-topics-before"

# --- MirrorMaker 2 jars (Maven Central, cached per version) ----------------------------------------------------------
MM2_LIBS="$CACHE/mm2-$KAFKA_VERSION/libs"
if wants mm2 || wants mm2-avro; then
  maven_libs mm2 bench/peers/mirror/pom.xml connect-mirror "MirrorMaker 2 (connect-mirror, connect-runtime)"
fi
# --- the Java Avro → JSON converter (Apache Avro from Maven Central; compiled per source version) ---------------------
AVRO_VERSION="$(sed -n 's:.*<avro.version>\(.*\)</avro.version>.*:\1:p' bench/peers/avro/pom.xml)"
AVRO_LIBS="$CACHE/avro-$AVRO_VERSION/libs"
PEER_CP=""
if wants mm2-avro; then
  if [[ ! -f "$AVRO_LIBS/.complete" ]]; then
    say "downloading Apache Avro $AVRO_VERSION jars from Maven Central"
    tmp="$(mktemp -d "$CACHE/.avro-$AVRO_VERSION.XXXXXX")"
    mvn -q -B -Dstyle.color=never -f bench/peers/avro/pom.xml dependency:copy-dependencies -DincludeScope=runtime \
      -DoutputDirectory="$tmp/libs" >&2
    touch "$tmp/libs/.complete"
    rm -rf "$CACHE/avro-$AVRO_VERSION"
    mv "$tmp" "$CACHE/avro-$AVRO_VERSION"
  fi
  src=bench/peers/avro/TigerGraphStyleAvroConverter.java
  PEER_DIR="$CACHE/avro-peer-$KAFKA_VERSION-$AVRO_VERSION-$(sha256sum "$src" | cut -c1-12)"
  if [[ ! -f "$PEER_DIR/peer.jar" ]]; then
    say "compiling $src (javac)"
    rm -rf "$PEER_DIR.tmp" && mkdir -p "$PEER_DIR.tmp/classes/META-INF/services"
    javac -nowarn -d "$PEER_DIR.tmp/classes" -cp "$MM2_LIBS/*:$AVRO_LIBS/avro-$AVRO_VERSION.jar" "$src" >&2 ||
      die "javac failed"
    echo dsc.bench.TigerGraphStyleAvroConverter >"$PEER_DIR.tmp/classes/META-INF/services/org.apache.kafka.connect.storage.Converter"
    (cd "$PEER_DIR.tmp/classes" && jar cf ../peer.jar .)
    rm -rf "$PEER_DIR" && mv "$PEER_DIR.tmp" "$PEER_DIR"
  fi
  # MirrorMaker's jars first (their Jackson), then Avro and what it needs beyond them.
  PEER_CP="$PEER_DIR/peer.jar:$MM2_LIBS/*:$AVRO_LIBS/avro-$AVRO_VERSION.jar:$(ls "$AVRO_LIBS"/commons-compress-*.jar)"
fi

if wants dsc || wants dsc-avro || wants avro-alone || wants mm2-avro; then build_dsc; fi

load1() { cut -d' ' -f1 /proc/loadavg; }
LOAD_START="$(load1)"
TICKS="$(getconf CLK_TCK)"
# CPU seconds every process of the machine has used since boot (user, nice, system, irq, softirq; not steal).
busy_s() { awk -v hz="$TICKS" '/^cpu / { printf "%.2f", ($2 + $3 + $4 + $7 + $8) / hz }' /proc/stat; }

# --- Avro → JSON alone (CPU-bound: run while nothing else of ours runs) -----------------------------------------------
AVRO_LINE=""
if wants avro-alone; then
  say "avro: compiling and running bench/mirror-avro-bench.ts ($AVRO_RECORDS records)"
  AVRO_OUT="$ROOT/node_modules/.cache/dsc-bench"
  node_modules/.bin/tsc --strict --module NodeNext --moduleResolution NodeNext --target ES2023 --skipLibCheck \
    --esModuleInterop --types node --outDir "$AVRO_OUT" --rootDir . bench/mirror-avro-bench.ts >&2 ||
    say "avro bench does not compile"
  AVRO_LINE="$("$NODE" "$AVRO_OUT/bench/mirror-avro-bench.js" "$AVRO_RECORDS" text,compiled "$AVRO_THREADS" \
    2>"$WORK/avro.log" | sed 's/^/  /' || true)"
  [[ -n "$AVRO_LINE" ]] || { AVRO_LINE="FAILED (see below)"; cat "$WORK/avro.log" >&2; }
fi

# --- source data: ProducerPerformance into a fresh topic -------------------------------------------------------------
PRODUCER_LINE=""
SOURCE_COUNT=0 SOURCE_OFFSETS=() # stay so when only the Avro topic is filled (BENCH_TOOLS=avro)
if wants dsc || wants mm2; then
  "${ADMIN[@]}" create "$SOURCE" "$SOURCE_TOPIC" "$PARTITIONS"
  say "producing $RECORDS records of $RECORD_SIZE bytes to $SOURCE_TOPIC ($PARTITIONS partitions) on $SOURCE"
  # No key: the sticky partitioner fills the partitions in turns of one batch. Throughput settings, acks=all.
  "$JAVA" -Xmx1G -cp "$KAFKA_LIBS/*" org.apache.kafka.tools.ProducerPerformance --topic "$SOURCE_TOPIC" \
    --num-records "$RECORDS" --record-size "$RECORD_SIZE" --throughput -1 \
    --producer-props bootstrap.servers="$SOURCE" acks=all linger.ms=20 batch.size=262144 \
    >"$WORK/producer.log" 2>&1 || { tail -20 "$WORK/producer.log" >&2; die "ProducerPerformance failed"; }
  PRODUCER_LINE="$(grep 'records sent' "$WORK/producer.log" | tail -1)"
  read -r -a SOURCE_OFFSETS <<<"$("${ADMIN[@]}" offsets "$SOURCE" "$SOURCE_TOPIC")"
  SOURCE_COUNT=0
  for o in "${SOURCE_OFFSETS[@]}"; do SOURCE_COUNT=$((SOURCE_COUNT + o)); done
  [[ "$SOURCE_COUNT" == "$RECORDS" ]] ||
    say "!!!!!!!! source topic holds $SOURCE_COUNT records, not $RECORDS: mirrors are measured against $SOURCE_COUNT !!!!!!!!"
  SOURCE_DIGEST="$("$NODE" bench/mirror/topic-digest.mjs "$SOURCE" "$SOURCE_TOPIC")"
fi
AVRO_LINE_E2E=""
SCHEMA_FILE="$WORK/order.avsc"
if wants dsc-avro || wants mm2-avro; then
  for mode in $AVRO_MODES; do
    topic="$(avro_topic "$mode")"
    "${ADMIN[@]}" create "$SOURCE" "$topic" "$PARTITIONS"
    say "producing $AVRO_E2E_RECORDS Avro records ($mode) to $topic"
    line="$("$NODE" bench/mirror/avro-source.mjs "$SOURCE" "$topic" "$PARTITIONS" "$AVRO_E2E_RECORDS" \
      "$([[ "$mode" == embedded ]] && echo embedded || echo "$SCHEMA_REGISTRY_URL")" "$SCHEMA_FILE")" ||
      die "cannot fill the Avro source topic $topic"
    AVRO_LINE_E2E+="$mode: $topic ($line); "
  done
  read -r -a AVRO_OFFSETS <<<"$("${ADMIN[@]}" offsets "$SOURCE" "$(avro_topic "${AVRO_MODES%% *}")")"
fi

# --- measuring -----------------------------------------------------------------------------------------------------
# CPU seconds of each thread of process $1 (the main thread named `main`; most CPU first): where a run's CPU went (the main thread,
# conversion threads, V8's GC helpers), whatever the machine's load; kept as threads.txt in the run's folder.
thread_cpu() {
  local t
  for t in /proc/"$1"/task/*; do
    awk -v hz="$TICKS" -v tid="${t##*/}" -v pid="$1" '{ sub(/^.*\) /, ""); split($0, f, " ");
      printf "%s\t%.2f\n", (tid == pid ? "main" : tid), (f[12] + f[13]) / hz }' "$t/stat" 2>/dev/null
  done | sort -t$'\t' -k2,2 -rn
}

# One line of threads.txt (stdin) for process $1: node starts V8's platform threads (GC marking, sweeping, parallel
# scavenges, optimizing compiles) right after its main thread, so the first few thread ids are those; the threads
# started later with real CPU are the conversion threads (libuv's pool is idle here).
thread_summary() {
  awk -F'\t' -v pid="$1" '$1 == "main" { main = $2; next }
    $1 <= pid + 5 { v8 += $2; next }
    $2 >= 0.05 { conv = conv (conv == "" ? "" : " + ") $2; next }
    { other += $2 }
    END { printf "main %.2f, conversion %s, V8 helpers %.2f, other %.2f CPU s\n", main, conv == "" ? "-" : conv, v8, other }'
}
THREAD_LINES=""

# Waits for the target topic to hold every source record, then SIGTERMs the mirror and records one result row:
# $1 tool, $2 tasks, $3 target topic, $4 t0, $5 pid of /usr/bin/time, $6 time -v output, $7 log, $8 expected count
finish_run() {
  local tool="$1" tasks="$2" topic="$3" t0="$4" time_pid="$5" time_file="$6" log="$7" mirror_pid wait_out first done busy
  local expect="${8:-$SOURCE_COUNT}" digest="-"
  mirror_pid="$(pgrep -P "$time_pid" || true)"
  PIDS+=("$mirror_pid")
  wait_out="$("${ADMIN[@]}" wait "$TARGET" "$topic" "$expect" "$TIMEOUT" || true)"
  first="$(sed -n 's/.*first=\([0-9.]*\).*/\1/p' <<<"$wait_out")"
  done="$(sed -n 's/.*done=\([0-9.]*\).*/\1/p' <<<"$wait_out")"
  if [[ "${done:-0}" == 0 ]]; then
    say "!!!!!!!! $tool tasks.max=$tasks did not deliver $expect records within $TIMEOUT s ($wait_out); its log:"
    tail -20 "$log" >&2
    done="$(now)"
  fi
  busy="$(busy_s)"
  if [[ -n "$mirror_pid" && "$tool" == dsc* ]]; then
    thread_cpu "$mirror_pid" >"$(dirname "$time_file")/threads.txt"
    THREAD_LINES+="  $tool tasks.max=$tasks: $(thread_summary "$mirror_pid" <"$(dirname "$time_file")/threads.txt")"$'\n'
  fi
  [[ -n "$mirror_pid" ]] && kill -TERM "$mirror_pid" 2>/dev/null
  wait "$time_pid" || true
  PIDS=("${PIDS[@]/$mirror_pid/}")
  local offsets line
  # Records per partition as a read_committed reader counts them (transaction markers take offsets too).
  line="$("$NODE" bench/mirror/topic-digest.mjs "$TARGET" "$topic")"
  offsets="$(tr ' ' '\n' <<<"$line" | cut -d: -f2 | paste -sd' ')"
  if [[ "$tool" != *avro* ]]; then
    if [[ "$line" == "$SOURCE_DIGEST" ]]; then digest=same; else digest=DIFFERENT; fi
  fi
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$tool" "$tasks" "$topic" "$t0" "${first:-0}" "$done" \
    "$(rss_kb "$time_file")" "$(cpu_s "$time_file")" "$(echo "$busy - $BUSY0" | bc)" "$offsets" "$expect" "$digest" >>"$RESULTS"
}

run_dsc() { # $1 tasks [$2 bytes | registry | embedded: an Avro topic through TigerGraph's converter] [$3 at-least-once]
  local tasks="$1" kind="${2:-bytes}" delivery="${3:-exactly-once}" t0 time_pid prof=()
  local alias="dsc${kind:0:1}${delivery:0:1}t${1}r$RUN" name="bench-dsc-$kind-${delivery%%-*}-t$1-$RUN"
  local dir="$WORK/dsc-$kind-$delivery-t$1" source_topic="$SOURCE_TOPIC"
  local converter=("value.converter=org.apache.kafka.connect.converters.ByteArrayConverter") tool=dsc
  local expect="$SOURCE_COUNT"
  if [[ "$kind" == registry ]]; then
    source_topic="$AVRO_TOPIC" tool=dsc-avro expect="$AVRO_E2E_RECORDS"
    converter=("value.converter=com.tigergraph.kafka.connect.converters.TigerGraphAvroConverter"
      "value.converter.schema.registry.url=$SCHEMA_REGISTRY_URL")
  elif [[ "$kind" == embedded ]]; then
    source_topic="$EMBEDDED_TOPIC" tool="dsc-avro(embedded)" expect="$AVRO_E2E_RECORDS"
    converter=("value.converter=com.tigergraph.kafka.connect.converters.TigerGraphAvroConverterWithoutSchemaRegistry"
      "value.converter.schema=$SCHEMA_FILE")
  fi
  [[ "$kind" == bytes ]] || AVRO_TARGETS["dsc-$kind-$tasks"]="$alias.$source_topic"
  [[ "$delivery" == exactly-once ]] || tool="$tool(at-least-once)"
  local topic="$alias.$source_topic"
  mkdir -p "$dir"
  mirror_conf "$dir/mirror.conf" bench_dsc "$name" "$tasks" "$alias" "$SOURCE" "$TARGET" "$source_topic" "${converter[@]}" \
    "exactly.once.source.support=$([[ "$delivery" == exactly-once ]] && echo enabled || echo disabled)"
  TARGET_TOPICS+=("$topic")
  SOURCE_GROUPS+=("dsc-mirror.$name")
  DSC_STATE_DIR="$dir/state" "$NODE" --no-warnings=ExperimentalWarning bin/dsc.js create --c "$dir/mirror.conf" \
    >"$dir/create.log" 2>&1 || { cat "$dir/create.log" >&2; die "dsc create failed"; }
  [[ "$CPU_PROF" == 1 ]] && prof=(--cpu-prof --cpu-prof-dir="$dir/prof")
  say "$tool: tasks.max=$tasks, $source_topic -> $topic"
  BUSY0="$(busy_s)"
  t0="$(now)"
  DSC_STATE_DIR="$dir/state" /usr/bin/time -v -o "$dir/time.txt" \
    "$NODE" --no-warnings=ExperimentalWarning "${prof[@]}" dist/functions/mirror.js >"$dir/mirror.log" 2>&1 &
  time_pid=$!
  sleep 0.2
  finish_run "$tool" "$tasks" "$topic" "$t0" "$time_pid" "$dir/time.txt" "$dir/mirror.log" "$expect"
}

run_mm2() { # $1 tasks [$2 registry | embedded: an Avro topic through the Java converter]
  local tasks="$1" kind="${2:-bytes}" dst="dst$RUN" t0 time_pid tool=mm2 source_topic="$SOURCE_TOPIC"
  local alias="mm2${kind:0:1}t${1}r$RUN" dir="$WORK/mm2-$kind-t$1" expect="$SOURCE_COUNT" cp="$MM2_LIBS/*"
  local converter=""
  if [[ "$kind" != bytes ]]; then
    source_topic="$(avro_topic "$kind")" tool=mm2-avro expect="$AVRO_E2E_RECORDS" cp="$PEER_CP"
    [[ "$kind" == embedded ]] && tool="mm2-avro(embedded)"
    # The flow's value converter: MirrorMaker keeps only known keys of the top level in a connector's configuration,
    # so the converter's own keys go under the flow prefix. Heartbeats and checkpoints off: their records would go
    # through the same converter and are not Avro.
    converter="value.converter=dsc.bench.TigerGraphStyleAvroConverter
emit.heartbeats.enabled=false
emit.checkpoints.enabled=false"
    if [[ "$kind" == registry ]]; then
      converter+=$'\n'"$alias->$dst.value.converter.schema.registry.url=$SCHEMA_REGISTRY_URL"
    else
      converter+=$'\n'"$alias->$dst.value.converter.schema=$SCHEMA_FILE"
    fi
  fi
  local topic="$alias.$source_topic"
  mkdir -p "$dir"
  # Dedicated mode as connect-mirror-maker.sh runs it; replication factors 1 for this one-broker setup; the reverse
  # flow's heartbeats off (nothing of it is measured). Everything else at MirrorMaker's defaults.
  cat >"$dir/mm2.properties" <<EOF
clusters=$alias, $dst
$alias.bootstrap.servers=$SOURCE
$dst.bootstrap.servers=$TARGET
$alias->$dst.enabled=true
$alias->$dst.topics=$source_topic
$dst->$alias.enabled=false
$dst->$alias.emit.heartbeats.enabled=false
tasks.max=$tasks
replication.factor=1
checkpoints.topic.replication.factor=1
heartbeats.topic.replication.factor=1
offset-syncs.topic.replication.factor=1
offset.storage.replication.factor=1
status.storage.replication.factor=1
config.storage.replication.factor=1
# every plugin on this classpath has a ServiceLoader manifest: skips a ~5 s reflective scan per herder at start-up
plugin.discovery=service_load
$converter
EOF
  TARGET_TOPICS+=("$topic")
  TARGET_GROUPS+=("$alias-mm2")
  [[ "$kind" == bytes ]] || AVRO_TARGETS["mm2-$kind-$tasks"]="$topic"
  say "$tool: tasks.max=$tasks, $source_topic -> $topic"
  BUSY0="$(busy_s)"
  t0="$(now)"
  # Heap and GC flags as connect-mirror-maker.sh / kafka-run-class.sh set them.
  /usr/bin/time -v -o "$dir/time.txt" "$JAVA" -Xms256M -Xmx2G -server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 \
    -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent -XX:MaxInlineLevel=15 \
    -Djava.awt.headless=true -Dlog4j2.configurationFile="$ROOT/bench/mirror/mm2-log4j2.properties" \
    -Dbench.mm2.log="$dir/mm2.log" -cp "$cp" \
    org.apache.kafka.connect.mirror.MirrorMaker "$dir/mm2.properties" >"$dir/stdout.log" 2>&1 &
  time_pid=$!
  sleep 0.2
  finish_run "$tool" "$tasks" "$topic" "$t0" "$time_pid" "$dir/time.txt" "$dir/mm2.log" "$expect"
}

for tasks in $TASKS_LIST; do
  if wants dsc; then run_dsc "$tasks"; fi
  # The cost of exactly once (the default): the same mirror without transactions.
  if wants dsc-alo; then run_dsc "$tasks" bytes at-least-once; fi
  if wants mm2; then run_mm2 "$tasks"; fi
done
for mode in $AVRO_MODES; do
  for tasks in $TASKS_LIST; do
    if wants dsc-avro; then run_dsc "$tasks" "$mode"; fi
    if wants mm2-avro; then run_mm2 "$tasks" "$mode"; fi
  done
done

# --- Avro → JSON content: dsc's output against the Java converter's (Apache Avro's GenericDatumReader) -------------
AVRO_CHECKS=""
if wants mm2-avro; then
  AVRO_CHECKS+="  every type, no Kafka (20000 random values): $("$NODE" bench/mirror/avro-json-check.mjs types "$PEER_CP" 20000 2>&1 | paste -sd' ')"$'\n'
fi
for mode in $AVRO_MODES; do
  for tasks in $TASKS_LIST; do
    a="${AVRO_TARGETS[dsc-$mode-$tasks]:-}" b="${AVRO_TARGETS[mm2-$mode-$tasks]:-}"
    [[ -n "$a" && -n "$b" ]] || continue
    AVRO_CHECKS+="  $mode, tasks.max=$tasks, $a vs $b: $("$NODE" bench/mirror/avro-json-check.mjs topics "$TARGET" "$SCHEMA_FILE" "$a" "$b" 2>&1 | paste -sd' ')"$'\n'
  done
done

# --- report --------------------------------------------------------------------------------------------------------
mem_gib="$(awk '/MemTotal/ { printf "%.1f", $2 / 1048576 }' /proc/meminfo)"
cpu_model="$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)"
echo
echo "Machine:  $(nproc) CPUs ($cpu_model), ${mem_gib} GiB RAM, $(uname -sr)"
echo "Load:     1-min load average $LOAD_START at start, $(load1) at the end (the runs themselves raise it; per run, see" \
  "machine CPU s below)"
echo "Clusters: Kafka $KAFKA_VERSION, source $SOURCE and target $TARGET (one KRaft node each, on this machine)"
echo "Versions: node $("$NODE" --version), @platformatic/kafka $(sed -n 's/^  "version": "\(.*\)",/\1/p' node_modules/@platformatic/kafka/package.json), $("$JAVA" -version 2>&1 | head -1)"
if [[ -n "$PRODUCER_LINE" || -n "$AVRO_LINE_E2E" ]]; then
  echo "Source:   $SOURCE_TOPIC, $PARTITIONS partitions, $SOURCE_COUNT records of $RECORD_SIZE B (no key), end offsets" \
    "${SOURCE_OFFSETS[*]}"
  echo "          ProducerPerformance (acks=all, linger.ms=20, batch.size=256 KiB): $PRODUCER_LINE"
  [[ -n "$AVRO_LINE_E2E" ]] &&
    echo "          Avro: $PARTITIONS partitions of Avro Orders with a key and a header each: $AVRO_LINE_E2E" \
      "registry = Confluent wire format, schema in $SCHEMA_REGISTRY_URL; embedded = single-object encoding," \
      "schema in value.converter.schema. → JSON by dsc (TigerGraphAvroConverter[WithoutSchemaRegistry]) and by" \
      "MirrorMaker 2 + dsc.bench.TigerGraphStyleAvroConverter (Apache Avro $AVRO_VERSION GenericDatumReader)"
  echo "Settings: dsc ByteArrayConverter (record batches forwarded as bytes, idempotent, acks=all)${NODE_OPTIONS:+, NODE_OPTIONS='$NODE_OPTIONS'}${DSC_MIRROR_CONVERSION_THREADS:+, DSC_MIRROR_CONVERSION_THREADS=$DSC_MIRROR_CONVERSION_THREADS};" \
    "dsc-avro converts on worker threads (one per task up to $(nproc) cores less one, at least one with 2 or more) unless DSC_MIRROR_CONVERSION_THREADS says otherwise;" \
    "MirrorMaker 2 dedicated mode, defaults + plugin.discovery=service_load, -Xmx2G G1 (its RSS is mostly heap)."
  echo "          seconds = process start → last record on the target (includes start-up; 'first rec s' is the"
  echo "          start-up part); MB/s counts record values ($RECORD_SIZE B each); CPU s = user + system of the mirror;"
  echo "          machine CPU s = CPU seconds of every process during the run (at most $(nproc) x seconds); minus the"
  echo "          mirror's CPU s it is what both brokers and anything else running at the time used."
  echo
  mismatches=0
  TABLE="$WORK/table.tsv"
  printf 'tool\ttasks\trecords\tseconds\trecords/s\tMB/s\tpeak RSS MB\tCPU s\tfirst rec s\tsteady records/s\tmachine CPU s\tcontent\n' >"$TABLE"
  CHECKS=""
  while IFS=$'\t' read -r tool tasks topic t0 first done rss cpu machine offsets expect digest; do
    read -r -a got <<<"$offsets"
    records=0
    for o in "${got[@]}"; do records=$((records + o)); done
    want="${SOURCE_OFFSETS[*]:-}" size="$RECORD_SIZE"
    [[ "$tool" == *avro* ]] && want="${AVRO_OFFSETS[*]}" size=0
    if [[ "$offsets" != "$want" || "$digest" == DIFFERENT ]]; then
      mismatches=$((mismatches + 1))
      CHECKS+="!!!!!!!! MISMATCH $tool tasks.max=$tasks: $topic records [$offsets] vs source [$want], content $digest"$'\n'
    fi
    awk -v t="$tool" -v k="$tasks" -v r="$records" -v t0="$t0" -v first="$first" -v done="$done" -v rss="${rss:-0}" \
      -v cpu="$cpu" -v machine="$machine" -v n="$expect" -v size="$size" -v digest="$digest" 'BEGIN {
        sec = done - t0
        steady = (first > 0 && done > first) ? sprintf("%.0f", n / (done - first)) : "-"
        fs = first > 0 ? sprintf("%.1f", first - t0) : "-"
        mbs = "-"
        if (size > 0) mbs = sprintf("%.1f", n * size / 1e6 / sec)
        printf "%s\t%s\t%s\t%.1f\t%.0f\t%s\t%.0f\t%s\t%s\t%s\t%.0f\t%s\n", t, k, r, sec, n / sec, mbs, rss / 1024, cpu, fs,
          steady, machine, digest }' >>"$TABLE"
  done <"$RESULTS"
  column -t -s $'\t' "$TABLE"
  echo
  if [[ "$mismatches" -gt 0 ]]; then
    printf '%s' "$CHECKS"
    echo "!!!!!!!! COUNT MISMATCH: $mismatches run(s) did not put exactly the source's records on their target topic !!!!!!!!"
  else
    echo "Counts: every target topic's committed records equal its source's, partition by partition; content 'same': every" \
      "partition's digest (key, value, headers, timestamp of each record, in order) equals the source's."
  fi
fi
if [[ -n "$THREAD_LINES" ]]; then
  echo
  echo "dsc's CPU by thread (/proc/<pid>/task/*/stat just before SIGTERM, start-up included):"
  printf '%s' "$THREAD_LINES"
fi
if [[ -n "$AVRO_CHECKS" ]]; then
  echo
  echo "Avro → JSON content, dsc vs the Java converter (bench/mirror/avro-json-check.mjs; key, headers, timestamp byte-equal," \
    "value equal after the documented rules):"
  printf '%s' "$AVRO_CHECKS"
fi
if [[ -n "$AVRO_LINE" ]]; then
  echo
  echo "Avro → JSON alone (bench/mirror-avro-bench.ts, batches of 500 Orders through convertBatch, schema cached, no Kafka):"
  echo "$AVRO_LINE"
fi
