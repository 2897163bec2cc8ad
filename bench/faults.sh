#!/usr/bin/env bash
# Fault-injection suite for exactly-once delivery: loads data with `dsc run` while breaking things, runs it again
# until the load is complete, then counts what a read_committed consumer sees, by content (bench/faults/delivery.mjs):
# records expected, received, lost, duplicated. It prints figures and asserts nothing; the same cases at small size
# are integration tests that assert (test/integration/file-exactly-once.test.ts).
#
#   kill-t1   SIGKILL of `dsc run` FAULTS_KILLS (20) times at random moments of a FAULTS_LINES (2 M) line load, tasks.max 1
#   kill-t2   the same with tasks.max 2 (the file is split into two byte ranges)
#   sigterm   SIGTERM mid-load (whether it landed mid-load, exit code, time to exit, records committed at the stop),
#             then run again
#   two-runs  a second `dsc run` on the same state while the first runs (the same task twice at once)
#   budget    DSC_TASK_BUDGET_SECONDS=0.5: the task re-enqueues itself mid-file again and again
#   broker    the target broker restarted mid-load, on an isolated second instance of the services
#             (DSC_CACHE=~/.cache/dsc-eos, DSC_PORT_OFFSET=2000), never the shared brokers
#   mirror    SIGKILL of the mirror worker FAULTS_MIRROR_KILLS (10) times during a FAULTS_MIRROR_RECORDS (1 M) record
#             mirror of a 6-partition topic (tasks.max 3), then runs until the target holds every record
#
#   bash bench/faults.sh                                 every case
#   FAULTS_CASES=kill-t1,sigterm FAULTS_LINES=200000 bash bench/faults.sh
#
# Knobs: FAULTS_CASES, FAULTS_LINES (2000000), FAULTS_KILLS (20), FAULTS_BATCH (file.reader.batch.size, 10000),
# FAULTS_KEEP_WORK=1 keeps the temp folder (configs, logs of every run). Runs under flock /tmp/dsc-bench.lock.
set -euo pipefail
if [[ -z "${DSC_BENCH_LOCKED:-}" ]]; then exec env DSC_BENCH_LOCKED=1 flock /tmp/dsc-bench.lock bash "$0" "$@"; fi
SAY_PREFIX=faults
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

LINES="${FAULTS_LINES:-2000000}"
KILLS="${FAULTS_KILLS:-20}"
BATCH="${FAULTS_BATCH:-10000}"
WANTED=",${FAULTS_CASES:-kill-t1,kill-t2,sigterm,two-runs,budget,broker,mirror},"
MIRROR_RECORDS="${FAULTS_MIRROR_RECORDS:-1000000}"
MIRROR_KILLS="${FAULTS_MIRROR_KILLS:-10}"
bench_work dsc-faults
RUN_ID="$(date +%H%M%S)"
TOPICS=()

ISOLATED_CACHE="$HOME/.cache/dsc-eos"
ISOLATED_OFFSET=2000
cleanup() {
  if [[ -n "${ISOLATED_UP:-}" ]]; then
    DSC_CACHE="$ISOLATED_CACHE" DSC_PORT_OFFSET=$ISOLATED_OFFSET bash test/services/down.sh >/dev/null 2>&1 || true
  fi
  delete_topics "${TOPICS[@]}"
  remove_work "${FAULTS_KEEP_WORK:-0}"
}
trap cleanup EXIT

positive_int FAULTS_LINES "$LINES"
require_node
services_up 9092 19092
BROKERS="${KAFKA_BROKERS:-127.0.0.1:9092}"
build_dsc
CSV="$(persons_csv "$LINES")"

# conf <dir> <topic> <tasks>
conf() {
  cat >"$1/load.conf" <<EOF
connector.class=com.tigergraph.kafka.connect.filesystem.FsSourceConnector
mode=eof
file.reader.batch.size=$BATCH
[$2]
name=$2
tasks.max=$3
topic=$2
file.uris=$CSV
EOF
}

# case_dir <dir> <topic> <tasks>: a case's folder and config; its topic (on the shared broker) is deleted at the end
case_dir() {
  mkdir -p "$1"
  conf "$@"
  TOPICS+=("$2")
}

# start <dir> [--fresh] [env...]: `dsc run` in the background; its pid in $PID
start() {
  local dir="$1" fresh="${2:-}"
  shift 2 || shift 1
  env DSC_STATE_DIR="$dir/state" DSC_LOG_LEVEL=INFO "$@" \
    "$NODE" --no-warnings=ExperimentalWarning bin/dsc.js run --c "$dir/load.conf" --json $fresh \
    >>"$dir/out.log" 2>>"$dir/err.log" &
  PID=$!
}

# finish <dir> [env...]: runs `dsc run` again until it exits 0 (at most 10 times); counts runs in RUNS
finish() {
  local dir="$1" code
  shift
  for _ in $(seq 10); do
    RUNS=$((RUNS + 1))
    code=0
    env DSC_STATE_DIR="$dir/state" DSC_LOG_LEVEL=INFO "$@" \
      "$NODE" --no-warnings=ExperimentalWarning bin/dsc.js run --c "$dir/load.conf" --json \
      >>"$dir/out.log" 2>>"$dir/err.log" || code=$?
    [[ $code == 0 ]] && return 0
    say "  dsc run exited $code; again"
    sleep 1
  done
  say "  gave up after 10 runs"
}

# verify <case> <topic> <interruptions> <seconds> [brokers]
verify() {
  local result
  result="$(KAFKA_BROKERS="${5:-$BROKERS}" "$NODE" bench/faults/delivery.mjs file "$CSV" "$2")" || result='{}'
  printf '%s\t%s\t%s\t%s\t%s\n' "$1" "$RUNS" "$3" "$4" "$result" >>"$RESULTS"
  say "  $1: $result"
}

random_sleep() { # between $1 and $2 seconds
  sleep "$(awk -v a="$1" -v b="$2" -v r="$RANDOM" 'BEGIN { printf "%.2f", a + (b - a) * r / 32767 }')"
}

case_kill() { # $1 tasks
  local name="kill-t$1" topic="faults-kill-t$1-$RUN_ID" dir="$WORK/kill-t$1" kills=0 midload=0 t0 fresh=--fresh
  local marks before after done_before
  case_dir "$dir" "$topic" "$1"
  touch "$dir/err.log"
  RUNS=0
  say "$name: SIGKILL $KILLS times at random moments of a $LINES-line load"
  t0=$SECONDS
  # dsc loads 2 M lines in about a second: each kill comes 0.1-0.35 s after the run's tasks were dispatched (its
  # "planned"/"resumed" log line), so most land mid-load; a kill counts as mid-load when the topic grew in that run
  # and the run had not finished.
  for _ in $(seq $((KILLS * 3))); do
    ((kills < KILLS)) || break
    marks="$(grep -cE '"(planned|resumed) file connector"' "$dir/err.log" || true)"
    done_before="$(grep -c '"task finished"' "$dir/err.log" || true)"
    before="$("$NODE" bench/file/topic-offsets.mjs end "$topic" 2>/dev/null || echo 0)"
    start "$dir" "$fresh"
    fresh=""
    RUNS=$((RUNS + 1))
    for _ in $(seq 1000); do
      (($(grep -cE '"(planned|resumed) file connector"' "$dir/err.log" || true) > marks)) && break
      kill -0 "$PID" 2>/dev/null || break
      sleep 0.02
    done
    random_sleep 0.1 0.35
    if kill -0 "$PID" 2>/dev/null; then
      kill -KILL "$PID" 2>/dev/null || true
      kills=$((kills + 1))
    fi
    wait "$PID" 2>/dev/null || true
    after="$("$NODE" bench/file/topic-offsets.mjs end "$topic" 2>/dev/null || echo 0)"
    if ((after > before)) && (($(grep -c '"task finished"' "$dir/err.log" || true) == done_before)); then
      midload=$((midload + 1))
    fi
    if grep -q '"state": "FINISHED"' "$dir/out.log" 2>/dev/null; then break; fi
  done
  finish "$dir"
  verify "$name" "$topic" "$kills SIGKILL ($midload mid-load)" $((SECONDS - t0))
}

case_sigterm() {
  local topic="faults-sigterm-$RUN_ID" dir="$WORK/sigterm" t0 sent code stopped what at end where committed
  case_dir "$dir" "$topic" 1
  touch "$dir/err.log"
  RUNS=1
  say "sigterm: SIGTERM mid-load, then run again"
  t0=$SECONDS
  start "$dir" --fresh
  # As the kill cases: 0.1-0.35 s after the run dispatched its task (its signal handler is set up before), so that it
  # lands mid-load (2 M lines load in about a second).
  for _ in $(seq 1000); do
    grep -q '"planned file connector"' "$dir/err.log" && break
    kill -0 "$PID" 2>/dev/null || break
    sleep 0.02
  done
  random_sleep 0.1 0.35
  sent="$(date +%s.%N)"
  what="SIGTERM"
  kill -TERM "$PID" 2>/dev/null || what="no SIGTERM (the run had ended)"
  code=0
  wait "$PID" || code=$?
  stopped="$(awk -v a="$sent" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')"
  # Mid-load: the topic had records and the run had not finished (130: interrupted before FINISHED). A clean stop
  # at a batch boundary: read_committed then holds exactly the records of the task's stop position, once each.
  at="$(sed -n 's/.*"task stopped at a batch boundary".*"records":\([0-9]*\).*/\1/p' "$dir/err.log" | tail -1)"
  end="$("$NODE" bench/file/topic-offsets.mjs end "$topic" 2>/dev/null || echo 0)"
  where="after the load had finished"
  if ((end > 0)) && ! grep -q '"task finished"' "$dir/err.log"; then where="mid-load"; fi
  committed="$(KAFKA_BROKERS="$BROKERS" "$NODE" bench/faults/delivery.mjs file "$CSV" "$topic" || echo '{}')"
  say "  sigterm: $what $where, exit $code after $stopped s; stopped at ${at:-?} records; read_committed then: $committed"
  finish "$dir"
  verify sigterm "$topic" "$what $where: exit $code after $stopped s, stopped at a batch boundary after ${at:-?} records ($(
    sed -n 's/.*"received":\([0-9]*\).*"duplicated":\([0-9]*\).*/\1 committed, \2 duplicated/p' <<<"$committed"
  ))" $((SECONDS - t0))
}

case_two_runs() {
  local topic="faults-two-$RUN_ID" dir="$WORK/two" t0 first
  case_dir "$dir" "$topic" 1
  RUNS=2
  say "two-runs: a second dsc run on the same state during the load"
  t0=$SECONDS
  start "$dir" --fresh
  first=$PID
  sleep 1.5
  start "$dir" ""
  wait "$first" || true
  wait "$PID" || true
  finish "$dir"
  verify two-runs "$topic" "2 runs at once" $((SECONDS - t0))
}

case_budget() {
  local topic="faults-budget-$RUN_ID" dir="$WORK/budget" t0 requeues
  case_dir "$dir" "$topic" 1
  RUNS=0
  say "budget: DSC_TASK_BUDGET_SECONDS=0.5, the task re-enqueues itself mid-file"
  t0=$SECONDS
  start "$dir" --fresh DSC_TASK_BUDGET_SECONDS=0.5
  wait "$PID" || true
  RUNS=1
  finish "$dir" DSC_TASK_BUDGET_SECONDS=0.5
  requeues="$(grep -c 'time budget spent' "$dir/err.log" || true)"
  verify budget "$topic" "$requeues budget ends" $((SECONDS - t0))
}

case_broker() {
  local topic="faults-broker-$RUN_ID" dir="$WORK/broker" t0 port=$((9092 + ISOLATED_OFFSET)) pid cmd
  mkdir -p "$dir"
  conf "$dir" "$topic" 1
  RUNS=1
  say "broker: the target broker of an isolated instance restarted mid-load"
  if [[ ! -d "$ISOLATED_CACHE" ]]; then cp -a "$CACHE" "$ISOLATED_CACHE"; fi
  rm -rf "$ISOLATED_CACHE/run"
  DSC_CACHE="$ISOLATED_CACHE" DSC_PORT_OFFSET=$ISOLATED_OFFSET bash test/services/up.sh >"$dir/up.log" 2>&1 ||
    {
      say "isolated services did not start (see $dir/up.log)"
      return
    }
  ISOLATED_UP=1
  local brokers="127.0.0.1:$port"
  t0=$SECONDS
  start "$dir" --fresh KAFKA_BROKERS="$brokers"
  sleep 2.5
  pid="$(cat "$ISOLATED_CACHE/run/pids/kafka-target.pid")"
  # Restart = the same command line again after a clean shutdown (what a rolling restart does to one broker).
  cmd="$(tr '\0' '\n' <"/proc/$pid/cmdline")"
  local cwd
  cwd="$(readlink "/proc/$pid/cwd")"
  kill -TERM "$pid"
  while kill -0 "$pid" 2>/dev/null; do sleep 0.2; done
  say "  broker stopped after $((SECONDS - t0)) s of load; starting it again"
  # DSC_SERVICE marks it as the services' own (down.sh stops only those).
  (cd "$cwd" && mapfile -t argv <<<"$cmd" && DSC_SERVICE=kafka-target exec "${argv[@]}" \
    >>"$ISOLATED_CACHE/run/logs/kafka-target.log" 2>&1) &
  echo $! >"$ISOLATED_CACHE/run/pids/kafka-target.pid"
  for _ in $(seq 300); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.2; done
  wait "$PID" || true
  finish "$dir" KAFKA_BROKERS="$brokers"
  verify broker "$topic" "1 broker restart" $((SECONDS - t0)) "$brokers"
}

case_mirror() {
  local source="${SOURCE_KAFKA_BROKERS:-127.0.0.1:19092}" src="faults-mirror-$RUN_ID" alias="fm$RUN_ID"
  local dir="$WORK/mirror" t0 kills=0 result='{}'
  local topic="$alias.$src" data
  mkdir -p "$dir"
  RUNS=0
  command -v kcat >/dev/null || die "kcat not found (apt-get install kcat)"
  data="$(persons_csv "$MIRROR_RECORDS")"
  KAFKA_BROKERS="$source" "$NODE" bench/file/topic-offsets.mjs create "$src" 6
  say "mirror: $MIRROR_RECORDS records into $src (6 partitions, kcat's random partitioner) on $source"
  kcat -P -b "$source" -t "$src" -l "$data"
  mirror_conf "$dir/mirror.conf" faults_mirror "faults-mirror-$RUN_ID" 3 "$alias" "$source" "$BROKERS" "$src" \
    "value.converter=org.apache.kafka.connect.converters.ByteArrayConverter"
  TOPICS+=("$topic")
  DSC_STATE_DIR="$dir/state" "$NODE" --no-warnings=ExperimentalWarning bin/dsc.js create --c "$dir/mirror.conf" \
    >"$dir/create.log" 2>&1 || { cat "$dir/create.log" >&2; return; }
  say "mirror: SIGKILL $MIRROR_KILLS times during the mirror"
  t0=$SECONDS
  for _ in $(seq $((MIRROR_KILLS * 3))); do
    ((kills < MIRROR_KILLS)) || break
    DSC_STATE_DIR="$dir/state" DSC_LOG_LEVEL=INFO "$NODE" --no-warnings=ExperimentalWarning dist/functions/mirror.js \
      >>"$dir/mirror.log" 2>&1 &
    PID=$!
    RUNS=$((RUNS + 1))
    random_sleep 2 5
    kill -KILL "$PID" 2>/dev/null && kills=$((kills + 1))
    wait "$PID" 2>/dev/null || true
  done
  # Then runs of 20 s (DSC_MIRROR_RUN_SECONDS: it stops itself as on SIGTERM) until nothing is missing.
  for _ in $(seq 15); do
    RUNS=$((RUNS + 1))
    DSC_STATE_DIR="$dir/state" DSC_MIRROR_RUN_SECONDS=20 "$NODE" --no-warnings=ExperimentalWarning \
      dist/functions/mirror.js >>"$dir/mirror.log" 2>&1 || true
    result="$("$NODE" bench/faults/delivery.mjs topic "$source" "$src" "$topic" 2>/dev/null || echo '{}')"
    [[ "$result" == *'"lost":0,'* ]] && break
  done
  printf '%s\t%s\t%s\t%s\t%s\n' mirror "$RUNS" "$kills SIGKILL" $((SECONDS - t0)) "$result" >>"$RESULTS"
  say "  mirror: $result"
  KAFKA_BROKERS="$source" "$NODE" bench/file/topic-offsets.mjs delete "$src" >/dev/null 2>&1 || true
}

wants kill-t1 && case_kill 1
wants kill-t2 && case_kill 2
wants sigterm && case_sigterm
wants two-runs && case_two_runs
wants budget && case_budget
wants broker && case_broker
wants mirror && case_mirror

echo
echo "Input: $CSV ($LINES lines); file.reader.batch.size=$BATCH; mirror: $MIRROR_RECORDS records, 6 partitions;" \
  "exactly.once.source.support=enabled (default); records counted by content with a read_committed consumer"
echo
echo "| case | dsc runs | faults injected | seconds | expected | received | lost | duplicated |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- |"
while IFS=$'\t' read -r name runs faults seconds json; do
  get() { sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p" <<<"$json"; }
  printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "$name" "$runs" "$faults" "$seconds" \
    "$(get expected)" "$(get received)" "$(get lost)" "$(get duplicated)"
done <"$RESULTS"
