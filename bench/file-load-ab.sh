#!/usr/bin/env bash
# `dsc run` alone on the file-load benchmark's CSV, two checkouts alternately (A, B, A, B, ...), to see whether a change
# made the file path slower on a shared machine: the same command and config as bench/file-load.sh's local
# exactly-once rows (tasks.max 1), without its peers and content check (run bench/file-load.sh in each checkout for
# those). Prints, per run: checkout, commit, headers, seconds, records/s, CPU s (user + sys of the dsc process), the
# 1-minute load average at its start, and the topic's end offset (lines + transaction markers).
#
#   bash bench/file-load-ab.sh /path/to/old/checkout                     this checkout is B
#   BENCH_LINES=10000000 BENCH_ROUNDS=3 BENCH_DSC_HEADERS="off on" bash bench/file-load-ab.sh /work/wt/base286
#
# Each checkout runs its own dist/ (built by `npm run build` there) and node_modules; the CSV is bench/file-load.sh's
# (generated once per size, cached in ~/.cache/dsc/bench/). Knobs: BENCH_LINES (2000000; 10 measures start-up),
# BENCH_ROUNDS (3), BENCH_DSC_HEADERS ("off on").
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

A="${1:?usage: bench/file-load-ab.sh OTHER_CHECKOUT}"
B="$ROOT"
LINES="${BENCH_LINES:-2000000}"
ROUNDS="${BENCH_ROUNDS:-3}"
positive_int BENCH_LINES "$LINES"
positive_int BENCH_ROUNDS "$ROUNDS"
[[ -f "$A/bin/dsc.js" && -d "$A/dist" ]] || die "$A is not a built dsc checkout (npm ci && npm run build there)"
[[ -x /usr/bin/time ]] || apt_install /usr/bin/time time
bench_work dsc-ab
trap 'remove_work 0' EXIT
CSV="$(persons_csv "$LINES")"

printf 'checkout\tcommit\theaders\tseconds\trecords/s\tCPU s\tload\tend offset\n'
for round in $(seq 1 "$ROUNDS"); do
  for headers in ${BENCH_DSC_HEADERS:-off on}; do
    for dir in "$A" "$B"; do
      topic="bench-ab-$(basename "$dir")-h$headers-$round-$(date +%H%M%S)"
      run="$WORK/$round-$headers-$(basename "$dir")"
      mkdir -p "$run"
      "$NODE" "$ROOT/bench/file/topic-offsets.mjs" create "$topic" 1
      cat >"$run/bench.conf" <<CONF
connector.class=com.tigergraph.kafka.connect.filesystem.FsSourceConnector
mode=eof
file.regexp=".*"
file.reader.type=text
file.reader.batch.size=10000
file.reader.text.header=false
file.reader.provenance.headers=$([[ "$headers" == on ]] && echo true || echo false)
exactly.once.source.support=enabled
[connector_bench]
name=$topic
tasks.max=1
topic=$topic
file.uris=$CSV
CONF
      load="$(cut -d' ' -f1 /proc/loadavg)"
      t0="$(now)"
      (cd "$dir" && DSC_KAFKA_ADAPTER=wire DSC_STATE_DIR="$run/state" /usr/bin/time -v -o "$run/time.txt" \
        node_modules/.bin/node --no-warnings=ExperimentalWarning bin/dsc.js run --c "$run/bench.conf" --fresh --json \
        >"$run/out.json" 2>"$run/err.log") || { say "dsc run failed in $dir:"; tail -n 20 "$run/err.log" >&2; }
      t1="$(now)"
      end="$("$NODE" "$ROOT/bench/file/topic-offsets.mjs" end "$topic")"
      delete_topics "$topic"
      awk -v d="$(basename "$dir")" -v c="$(git -C "$dir" rev-parse --short HEAD)" -v h="$headers" \
        -v s="$(echo "$t1 - $t0" | bc)" -v n="$LINES" -v cpu="$(awk -F': ' '/User time|System time/ { s += $2 } END { printf "%.2f", s }' "$run/time.txt")" -v l="$load" -v e="$end" \
        'BEGIN { printf "%s\t%s\t%s\t%.1f\t%.0f\t%s\t%s\t%s\n", d, c, h, s, n / s, cpu, l, e }'
    done
  done
done
