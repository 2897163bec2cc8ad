# What the bench scripts (file-load.sh, mirror-load.sh, faults.sh) share; sourced, not run. It moves to the repository
# root and sets ROOT, CACHE and NODE; the rest are functions. A script sets SAY_PREFIX (log prefix, default "bench")
# and WANTED (",a,b," lists what `wants` accepts) itself.
# shellcheck shell=bash

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
CACHE="${DSC_CACHE:-$HOME/.cache/dsc}"
NODE="$ROOT/node_modules/.bin/node"

say() { printf '[%s] %s\n' "${SAY_PREFIX:-bench}" "$*" >&2; }
die() {
  say "ERROR: $*"
  exit 1
}
wants() { [[ "$WANTED" == *",$1,"* ]]; }
positive_int() { [[ "$2" =~ ^[1-9][0-9]*$ ]] || die "$1 must be a positive integer, got '$2'"; }
require_node() { [[ -x "$NODE" ]] || die "$NODE missing: run npm ci first"; }

# bench_work <name>: a fresh temp folder in WORK (/tmp/<name>.XXXXXX), result rows in RESULTS
bench_work() {
  WORK="$(mktemp -d "/tmp/$1.XXXXXX")"
  RESULTS="$WORK/results.tsv"
}
# remove_work <keep>: the temp folder goes unless <keep> is 1
remove_work() {
  if [[ "$1" == 1 ]]; then say "kept $WORK (configs, logs, time -v output)"; else rm -rf "$WORK"; fi
}

apt_install() { # $1 = command, $2 = Debian package
  command -v "$1" >/dev/null 2>&1 && return 0
  say "installing $2 (apt-get)"
  apt-get install -y -q "$2" >/dev/null 2>&1 || { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q "$2" >/dev/null; } ||
    die "cannot install $2"
}

# services_up <port or URL>...: up.sh is idempotent but serialised by a lock other sessions may hold for minutes: it is
# skipped when services.env exists and every local port accepts a connection and every URL answers. Then services.env
# is exported, with KAFKA_VERSION (the brokers' version; the peers' jars match it) and JAVA.
services_up() {
  local ready=1 probe
  [[ -f "$CACHE/run/services.env" ]] || ready=0
  for probe in "$@"; do
    [[ $ready == 1 ]] || break
    if [[ "$probe" == http* ]]; then
      curl -sf -o /dev/null "$probe" || ready=0
    else
      (exec 3<>"/dev/tcp/127.0.0.1/$probe") 2>/dev/null || ready=0
    fi
  done
  if [[ $ready == 1 ]]; then
    say "services already up"
  else
    say "starting services (test/services/up.sh)"
    bash test/services/up.sh >/dev/null
  fi
  set -a
  # shellcheck disable=SC1091
  source "$CACHE/run/services.env"
  set +a
  KAFKA_VERSION="${KAFKA_VERSION:-$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' test/services/kafka/pom.xml)}"
  JAVA="${JAVA:-java}"
}

build_dsc() {
  say "building dsc (npm run build)"
  npm run --silent build >&2
}

# persons_csv <lines>: prints the path of a generated CSV of <lines> lines of ~100 bytes (cached in $CACHE/bench)
persons_csv() {
  local csv="$CACHE/bench/persons-$1.csv"
  mkdir -p "$CACHE/bench"
  if [[ ! -f "$csv" ]]; then
    command -v go >/dev/null || die "go not found (needed to generate the CSV)"
    say "generating $csv ($1 lines)"
    go build -o "$WORK/generate-csv" bench/file/generate-csv.go
    "$WORK/generate-csv" "$1" >"$csv.tmp"
    mv "$csv.tmp" "$csv"
  fi
  printf '%s\n' "$csv"
}

# maven_libs <name> <pom> <jar> <what>: the runtime jars of <pom> for the brokers' Kafka version, downloaded once from
# Maven Central into $CACHE/<name>-$KAFKA_VERSION/libs; <jar> (its name without -version.jar) proves the copy complete.
maven_libs() {
  local name="$1" pom="$2" jar="$3" what="$4" dir="$CACHE/$1-$KAFKA_VERSION" tmp
  [[ -f "$dir/libs/.complete" ]] && return 0
  say "downloading $what jars for Kafka $KAFKA_VERSION from Maven Central"
  mkdir -p "$CACHE"
  tmp="$(mktemp -d "$CACHE/.$name-$KAFKA_VERSION.XXXXXX")"
  mvn -q -B -Dstyle.color=never -f "$pom" -Dkafka.version="$KAFKA_VERSION" \
    dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$tmp/libs" >&2
  ls "$tmp/libs/$jar-$KAFKA_VERSION.jar" >/dev/null || die "$jar jar missing after mvn"
  touch "$tmp/libs/.complete"
  rm -rf "$dir"
  mv "$tmp" "$dir"
}

# delete_topics <topic>...: on the target cluster (KAFKA_BROKERS)
delete_topics() {
  [[ $# -gt 0 ]] || return 0
  "$NODE" "$ROOT/bench/file/topic-offsets.mjs" delete "$@" >/dev/null 2>&1 || say "could not delete topics $*"
}

# --- measuring -----------------------------------------------------------------------------------------------------
now() { date +%s.%N; }
rss_kb() { sed -n 's/.*Maximum resident set size (kbytes): *//p' "$1"; }
cpu_s() { awk -F': ' '/User time|System time/ { s += $2 } END { printf "%.1f", s }' "$1"; }

# mirror_conf <file> <section> <name> <tasks> <alias> <source> <target> <topics> [line...]: a mirror connector for
# `dsc create --c`, keys and headers as bytes; each extra line (value converter, delivery) goes before the section.
mirror_conf() {
  local file="$1" section="$2" name="$3" tasks="$4" alias="$5" source="$6" target="$7" topics="$8"
  shift 8
  {
    cat <<EOF
connector.class=org.apache.kafka.connect.mirror.MirrorSourceConnector
source.cluster.alias=$alias
target.cluster.alias=dst
source.cluster.bootstrap.servers=$source
target.cluster.bootstrap.servers=$target
source->target.enabled=true
topics=$topics
replication.factor=1
key.converter=org.apache.kafka.connect.converters.ByteArrayConverter
header.converter=org.apache.kafka.connect.converters.ByteArrayConverter
EOF
    printf '%s\n' "$@"
    printf '[%s]\nname=%s\ntasks.max=%s\n' "$section" "$name" "$tasks"
  } >"$file"
}
