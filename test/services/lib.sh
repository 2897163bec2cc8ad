# shellcheck shell=bash
# Shared settings and helpers for test/services/up.sh and down.sh (sourced, not executed).
#
# Everything downloaded or built is cached outside the clone, keyed by version:
#   ~/.cache/dsc/kafka-<v>/libs                 Kafka broker + tools jars (Maven Central, via kafka/pom.xml)
#   ~/.cache/dsc/bin/fake-gcs-server-<v>        fake-gcs-server (go install)
#   ~/.cache/dsc/apicurio-registry-<v>/         Apicurio Registry (Maven Central "-all.zip" Quarkus runner)
# Runtime state (re-created by up.sh on every cold start; safe to delete):
#   ~/.cache/dsc/run/{logs,pids,tls,kafka-target,kafka-source}, ~/.cache/dsc/run/services.env
# A second, isolated instance (a test that restarts its own broker) sets DSC_RUN_DIR (its own state, the same
# downloads) and DSC_PORT_OFFSET (its own ports), and DSC_SERVICES to start only what it needs.

DSC_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
DSC_CACHE="${DSC_CACHE:-${HOME:-/root}/.cache/dsc}"
RUN_DIR="${DSC_RUN_DIR:-$DSC_CACHE/run}"
LOG_DIR="$RUN_DIR/logs"
PID_DIR="$RUN_DIR/pids"
ENV_FILE="$RUN_DIR/services.env"

# ---- pinned versions ---------------------------------------------------------------------------
KAFKA_VERSION="${DSC_KAFKA_VERSION:-4.1.1}"          # org.apache.kafka:kafka_2.13 (+ kafka-tools, log4j 2.24.3)
FAKE_GCS_VERSION="${DSC_FAKE_GCS_VERSION:-v1.56.1}"  # github.com/fsouza/fake-gcs-server
APICURIO_VERSION="${DSC_APICURIO_VERSION:-3.0.9}"    # io.apicurio:apicurio-registry-app:<v>:zip:all

# ---- ports (all bound to 127.0.0.1) ------------------------------------------------------------
# DSC_PORT_OFFSET=N shifts every port (for a second, isolated instance: use it with its own DSC_RUN_DIR).
HOST=127.0.0.1
_o=${DSC_PORT_OFFSET:-0}
KAFKA_TARGET_PORT=$((9092 + _o))
KAFKA_TARGET_CONTROLLER_PORT=$((9093 + _o))
KAFKA_SOURCE_PORT=$((19092 + _o))
KAFKA_SOURCE_CONTROLLER_PORT=$((19093 + _o))
KAFKA_SOURCE_SASL_SSL_PORT=$((19094 + _o))
FAKE_GCS_PORT=$((4443 + _o))
FIRESTORE_PORT=$((8080 + _o))
FIRESTORE_ADMIN_PORT=$((8086 + _o))
SCHEMA_REGISTRY_PORT=$((8081 + _o))      # Apicurio, no auth
SCHEMA_REGISTRY_AUTH_PORT=$((8082 + _o)) # basic-auth proxy in front of it
SCHEMA_REGISTRY_PATH=/apis/ccompat/v7

SCRAM_USER=dsc
SCRAM_PASSWORD=dsc-secret
SR_USER=sr-user
SR_PASSWORD=sr-pass
TLS_STORE_PASSWORD=dsc-test-store

KAFKA_LIBS="$DSC_CACHE/kafka-$KAFKA_VERSION/libs"
FAKE_GCS_BIN="$DSC_CACHE/bin/fake-gcs-server-$FAKE_GCS_VERSION"
APICURIO_DIR="$DSC_CACHE/apicurio-registry-$APICURIO_VERSION"
APICURIO_JAR="$APICURIO_DIR/apicurio-registry-app-$APICURIO_VERSION-runner.jar"

# start order; down.sh stops in reverse
ALL_SERVICES=(kdc kafka-target kafka-source fake-gcs firestore schema-registry schema-registry-auth)

log() { printf '[services] %s\n' "$*" >&2; }

resolve_java() {
  if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]]; then
    echo "$JAVA_HOME/bin/java"
  elif command -v java >/dev/null 2>&1; then
    readlink -f "$(command -v java)"
  else
    return 1
  fi
}

resolve_node() {
  if [[ -x "$DSC_ROOT/node_modules/.bin/node" ]]; then
    # the project's Node 22 (npm package "node")
    readlink -f "$DSC_ROOT/node_modules/.bin/node"
  elif command -v node >/dev/null 2>&1; then
    command -v node
  else
    return 1
  fi
}

pid_file() { echo "$PID_DIR/$1.pid"; }

# Prints the pid of service $1 if its pid file points at a live process that we started
# (every service is launched with DSC_SERVICE=<name> in its environment), else returns 1.
service_pid() {
  local f pid
  f="$(pid_file "$1")"
  [[ -f "$f" ]] || return 1
  pid="$(cat "$f" 2>/dev/null)"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  # grep reads the NUL-separated environment itself: `tr | grep -q` fails under pipefail when grep stops reading
  # early (tr gets SIGPIPE), as it does in a large environment (a vitest worker's), so a live service looked dead.
  grep -qxz "DSC_SERVICE=$1" "/proc/$pid/environ" 2>/dev/null || return 1
  echo "$pid"
}

port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

# Who listens on a port (for error messages).
port_owner() { ss -ltnpH "sport = :$1" 2>/dev/null | sed 's/^/    /'; }

# Kafka liveness at the protocol level: send an ApiVersions v0 request and check that the reply
# carries our correlation id and error_code 0. Plain bash, no client tools (no JVM start) needed.
kafka_api_versions_ok() {
  local host=$1 port=$2 reply
  reply="$(
    exec 3<>"/dev/tcp/$host/$port" 2>/dev/null || exit 1
    # size=13 | api_key=18 (ApiVersions) | api_version=0 | correlation_id=0x44534301 | client_id="dsc"
    printf '\x00\x00\x00\x0d\x00\x12\x00\x00\x44\x53\x43\x01\x00\x03dsc' >&3
    timeout 3 head -c 10 <&3 | od -An -tx1 | tr -d ' \n'
  )" || return 1
  # bytes 4..9 of the reply: correlation id 44534301 + error_code 0000
  [[ "${reply:8:12}" == "445343010000" ]]
}

http_ok() { curl -fsS -o /dev/null --max-time 3 "$@" 2>/dev/null; }

tail_log() {
  local f="$LOG_DIR/$1.log"
  {
    echo "----- last 40 lines of $f -----"
    tail -n 40 "$f" 2>/dev/null || true
    echo "-----"
  } >&2
}

# stop_service <name> [timeout_s]: SIGTERM, wait, then SIGKILL. Idempotent.
stop_service() {
  local name=$1 timeout=${2:-30} pid i
  if pid="$(service_pid "$name")"; then
    log "stopping $name (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < timeout * 5; i++)); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.2
    done
    if kill -0 "$pid" 2>/dev/null; then
      log "$name did not stop within ${timeout}s, sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      sleep 0.3
    fi
  fi
  rm -f "$(pid_file "$name")"
}
