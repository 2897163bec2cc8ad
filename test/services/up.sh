#!/usr/bin/env bash
# Starts the local test services on loopback (idempotent: healthy services are left alone).
#
#   kafka-target          Kafka (KRaft, single combined node)  PLAINTEXT 127.0.0.1:9092  (controller :9093)
#                                                              SASL_SSL  127.0.0.1:9094 (GSSAPI, kdc.sh)
#   kafka-source          Kafka (KRaft, second cluster)        PLAINTEXT 127.0.0.1:19092,
#                                                              SASL_SSL  127.0.0.1:19094 (SCRAM-SHA-512/256)
#                                                              SASL_SSL  127.0.0.1:19095 (GSSAPI, kdc.sh)
#   kdc                   MIT Kerberos KDC, realm DSC.TEST     127.0.0.1:7088 (see kdc.sh)
#   fake-gcs              fake-gcs-server (memory backend)     http://127.0.0.1:4443
#   firestore             @firestore-emulator/server (gRPC)    127.0.0.1:8080 (+ admin HTTP :8086)
#   schema-registry       Apicurio Registry, Confluent API     http://127.0.0.1:8081/apis/ccompat/v7
#   schema-registry-auth  basic-auth proxy (sr-user:sr-pass)   http://127.0.0.1:8082/apis/ccompat/v7
#   pubsub                Pub/Sub emulator (pstest, gRPC)      127.0.0.1:8085  (test/services/pubsub.sh)
#   s3                    moto server (S3, IAM auth on)        http://127.0.0.1:5050  (test/services/cloud-storage.sh)
#   azurite               Azurite Blob (memory, no telemetry)  http://127.0.0.1:10000/devstoreaccount1
#
# Addresses are written to ~/.cache/dsc/run/services.env (KEY=VALUE) and echoed.
# Logs: ~/.cache/dsc/run/logs/<name>.log. Stop with test/services/down.sh.
#
# A second, isolated instance (never the shared services): DSC_RUN_DIR=DIR DSC_PORT_OFFSET=N (lib.sh), and
# DSC_SERVICES=kafka-target to start only those services (a broker brings the kdc its GSSAPI listener logs in to).
#   up.sh --restart kafka-target   stops that broker cleanly and starts it again on the same data (a broker restart)
#
# Schema Registry: Apicurio Registry 3.0.9 is published on Maven Central as a ready-to-run Quarkus
# "-all.zip" (io.apicurio:apicurio-registry-app:3.0.9:zip:all, ~105 MB, contains
# apicurio-registry-app-3.0.9-runner.jar + lib/). It starts in ~8 s with its default in-memory H2
# storage and its Confluent-compatible API (/apis/ccompat/v7) behaves as Confluent for the subset we
# use (same schema -> same id, also across subjects; /schemas/ids/{id}; /subjects/{s}/versions/latest).
# Apicurio 3 only offers OIDC-based auth, so HTTP basic auth is provided by a tiny Node proxy
# (test/fixtures/schema-registry/auth-proxy.mjs) on :8082.
# The plain jar and "-runner.jar" classifiers on Maven Central are NOT runnable (Quarkus needs the
# augmented app + lib/ from the zip).
set -euo pipefail

# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=pubsub.sh
source "$(dirname "${BASH_SOURCE[0]}")/pubsub.sh"
# shellcheck source=cloud-storage.sh
source "$(dirname "${BASH_SOURCE[0]}")/cloud-storage.sh"
# shellcheck source=kdc.sh
source "$(dirname "${BASH_SOURCE[0]}")/kdc.sh"

START_TIME=$SECONDS
KAFKA_READY_TIMEOUT=${DSC_KAFKA_READY_TIMEOUT:-90}
READY_TIMEOUT=${DSC_READY_TIMEOUT:-60}

mkdir -p "$LOG_DIR" "$PID_DIR" "$DSC_CACHE/bin"

# One up.sh at a time (a second one waits, then finds everything healthy).
exec 9>"$RUN_DIR/.up.flock"
if ! flock -w 300 9; then
  log "another up.sh holds $RUN_DIR/.up.flock for more than 5 minutes; giving up"
  exit 1
fi

JAVA="$(resolve_java)" || { log "java not found (need JDK 17+)"; exit 1; }
for tool in mvn go openssl curl unzip ss flock keytool krb5kdc kdb5_util kadmin.local ktutil kinit; do
  command -v "$tool" >/dev/null 2>&1 || { log "required tool '$tool' not found"; exit 1; }
done

die() {
  log "ERROR: $*"
  exit 1
}

# ---------------------------------------------------------------------------------------------------
# installs (cached under ~/.cache/dsc, keyed by version; atomic via tmp dir + mv)
# ---------------------------------------------------------------------------------------------------
ensure_kafka_libs() {
  [[ -f "$KAFKA_LIBS/.complete" ]] && return 0
  log "downloading Kafka $KAFKA_VERSION jars from Maven Central"
  local dest="$DSC_CACHE/kafka-$KAFKA_VERSION" tmp
  tmp="$(mktemp -d "$DSC_CACHE/.kafka-$KAFKA_VERSION.XXXXXX")"
  mvn -q -B -f "$DSC_ROOT/test/services/kafka/pom.xml" -Dkafka.version="$KAFKA_VERSION" \
    dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$tmp/libs"
  ls "$tmp/libs/kafka_2.13-$KAFKA_VERSION.jar" >/dev/null
  touch "$tmp/libs/.complete"
  rm -rf "$dest"
  mv "$tmp" "$dest"
}

ensure_fake_gcs() {
  [[ -x "$FAKE_GCS_BIN" ]] && return 0
  log "building fake-gcs-server $FAKE_GCS_VERSION (go install)"
  local tmp
  tmp="$(mktemp -d "$DSC_CACHE/.fake-gcs.XXXXXX")"
  (cd "$tmp" && GOBIN="$tmp" go install "github.com/fsouza/fake-gcs-server@$FAKE_GCS_VERSION")
  mv "$tmp/fake-gcs-server" "$FAKE_GCS_BIN"
  rm -rf "$tmp"
}

ensure_apicurio() {
  [[ -f "$APICURIO_DIR/.complete" ]] && return 0
  log "downloading Apicurio Registry $APICURIO_VERSION from Maven Central"
  local tmp
  tmp="$(mktemp -d "$DSC_CACHE/.apicurio.XXXXXX")"
  # dependency:get without transitive resolution: the parent POMs of this artifact are not all on
  # Central, which makes dependency:copy fail; get -Ddest only needs the zip itself.
  (cd "$tmp" && mvn -q -B org.apache.maven.plugins:maven-dependency-plugin:2.8:get -Dtransitive=false \
    -Dartifact="io.apicurio:apicurio-registry-app:$APICURIO_VERSION:zip:all" -Ddest="$tmp/app.zip")
  unzip -q "$tmp/app.zip" -d "$tmp/app"
  rm -f "$tmp/app.zip"
  ls "$tmp/app/apicurio-registry-app-$APICURIO_VERSION-runner.jar" >/dev/null
  touch "$tmp/app/.complete"
  rm -rf "$APICURIO_DIR"
  mv "$tmp/app" "$APICURIO_DIR"
  rm -rf "$tmp"
}

# ---------------------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------------------

# launch <name> <cmd...>: start in the background (own session, stdin and the lock fd 9 closed), appending to its log;
# writes the pid file. Callers truncate the log first (fresh_log).
launch() {
  local name=$1 pid i
  shift
  DSC_SERVICE="$name" setsid "$@" >>"$LOG_DIR/$name.log" 2>&1 </dev/null 9>&- &
  pid=$!
  echo "$pid" >"$(pid_file "$name")"
  # Until its exec the child is a copy of this shell, without DSC_SERVICE: wait for it, or service_pid (a ready
  # check right after, as in --restart on a busy machine) takes the service for one that exited during startup.
  for ((i = 0; i < 100; i++)); do
    service_pid "$name" >/dev/null && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.05
  done
}

fresh_log() { : >"$LOG_DIR/$1.log"; }

# ports_free <name> <port...>: fail clearly if something else listens on our ports.
ports_free() {
  local name=$1 p
  shift
  for p in "$@"; do
    if port_open "$HOST" "$p"; then
      log "cannot start $name: 127.0.0.1:$p is already in use by another process:"
      port_owner "$p" >&2
      return 1
    fi
  done
}

# wait_ready <name> <timeout_s> <check-cmd...>
wait_ready() {
  local name=$1 timeout=$2 deadline
  shift 2
  deadline=$((SECONDS + timeout))
  while ((SECONDS < deadline)); do
    if ! service_pid "$name" >/dev/null; then
      log "$name exited during startup"
      tail_log "$name"
      return 1
    fi
    if "$@"; then
      return 0
    fi
    sleep 0.5
  done
  log "$name not ready after ${timeout}s"
  tail_log "$name"
  return 1
}

# ---------------------------------------------------------------------------------------------------
# health checks
# ---------------------------------------------------------------------------------------------------
# A broker started before the GSSAPI listener existed is not healthy: up.sh restarts it once with the new config.
kafka_target_healthy() {
  kafka_api_versions_ok "$HOST" "$KAFKA_TARGET_PORT" && port_open "$HOST" "$KAFKA_TARGET_GSSAPI_PORT"
}
kafka_source_healthy() {
  kafka_api_versions_ok "$HOST" "$KAFKA_SOURCE_PORT" && port_open "$HOST" "$KAFKA_SOURCE_SASL_SSL_PORT" &&
    port_open "$HOST" "$KAFKA_SOURCE_GSSAPI_PORT"
}
kafka_started_logged() { grep -q "Kafka Server started" "$LOG_DIR/$1.log" 2>/dev/null; }
kafka_target_ready() { kafka_started_logged kafka-target && kafka_target_healthy; }
kafka_source_ready() { kafka_started_logged kafka-source && kafka_source_healthy; }
fake_gcs_healthy() { http_ok "http://$HOST:$FAKE_GCS_PORT/storage/v1/b"; }
firestore_healthy() { http_ok "http://$HOST:$FIRESTORE_ADMIN_PORT/healthz" && port_open "$HOST" "$FIRESTORE_PORT"; }
schema_registry_healthy() { http_ok "http://$HOST:$SCHEMA_REGISTRY_PORT$SCHEMA_REGISTRY_PATH/subjects"; }
schema_registry_auth_healthy() {
  http_ok -u "$SR_USER:$SR_PASSWORD" "http://$HOST:$SCHEMA_REGISTRY_AUTH_PORT$SCHEMA_REGISTRY_PATH/subjects"
}

# already_up <name> <health-fn>: true if our process is alive and healthy; a live but unhealthy
# one is stopped so that it gets restarted.
already_up() {
  local name=$1 check=$2 pid
  pid="$(service_pid "$name")" || return 1
  if "$check"; then
    log "$name already up (pid $pid)"
    return 0
  fi
  log "$name (pid $pid) is running but not healthy: restarting it"
  stop_service "$name" 30
  return 1
}

# ---------------------------------------------------------------------------------------------------
# Kafka
# ---------------------------------------------------------------------------------------------------
ensure_tls() {
  local d="$RUN_DIR/tls"
  if [[ -f "$d/server.p12" && -f "$d/ca.pem" ]] && openssl x509 -checkend 86400 -noout -in "$d/server.pem" >/dev/null 2>&1; then
    return 0
  fi
  log "creating self-signed CA + server certificate (127.0.0.1, localhost) in $d"
  rm -rf "$d"
  mkdir -p "$d"
  (
    cd "$d"
    openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 3650 -keyout ca.key -out ca.pem \
      -subj "/CN=dsc-test-ca" -addext "basicConstraints=critical,CA:TRUE" \
      -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
    openssl req -newkey rsa:2048 -nodes -sha256 -keyout server.key -out server.csr -subj "/CN=localhost" 2>/dev/null
    printf '%s\n' "basicConstraints=CA:FALSE" "keyUsage=critical,digitalSignature,keyEncipherment" \
      "extendedKeyUsage=serverAuth" "subjectAltName=IP:127.0.0.1,DNS:localhost" >server.ext
    openssl x509 -req -sha256 -days 825 -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial \
      -extfile server.ext -out server.pem 2>/dev/null
    openssl pkcs12 -export -in server.pem -inkey server.key -certfile ca.pem -name kafka \
      -out server.p12 -passout "pass:$TLS_STORE_PASSWORD"
    chmod 600 ./*.key
  )
}

write_log4j2() {
  cat >"$1" <<'EOF'
status = warn
appender.out.type = Console
appender.out.name = STDOUT
appender.out.layout.type = PatternLayout
appender.out.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.out.ref = STDOUT
logger.request.name = kafka.request.logger
logger.request.level = WARN
logger.state.name = state.change.logger
logger.state.level = WARN
logger.cleaner.name = kafka.log.LogCleaner
logger.cleaner.level = WARN
EOF
}

# start_kafka <name> <plaintext-port> <controller-port> <sasl-ssl-port or ""> <gssapi-port>
start_kafka() {
  local name=$1 port=$2 cport=$3 sport=${4:-} gport=$5 dir cfg cluster_id
  dir="$RUN_DIR/$name"
  cfg="$dir/server.properties"
  rm -rf "$dir"
  mkdir -p "$dir"
  write_log4j2 "$dir/log4j2.properties"
  local listeners="PLAINTEXT://$HOST:$port,CONTROLLER://$HOST:$cport,GSSAPI://$HOST:$gport"
  local advertised="PLAINTEXT://$HOST:$port,GSSAPI://$HOST:$gport"
  local protomap="CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,GSSAPI:SASL_SSL"
  if [[ -n "$sport" ]]; then
    listeners="$listeners,SASL_SSL://$HOST:$sport"
    advertised="$advertised,SASL_SSL://$HOST:$sport"
    protomap="$protomap,SASL_SSL:SASL_SSL"
  fi
  cat >"$cfg" <<EOF
# generated by test/services/up.sh
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=$HOST:$cport
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listeners=$listeners
advertised.listeners=$advertised
listener.security.protocol.map=$protomap
log.dirs=$dir/data
num.partitions=1
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=4
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=true
delete.topic.enable=true
num.network.threads=2
num.io.threads=4
num.recovery.threads.per.data.dir=1
log.retention.hours=24
EOF
  kafka_gssapi_properties >>"$cfg"
  local scram_args=()
  if [[ -n "$sport" ]]; then
    cat >>"$cfg" <<EOF
sasl.enabled.mechanisms=SCRAM-SHA-512,SCRAM-SHA-256
listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
ssl.keystore.type=PKCS12
ssl.keystore.location=$RUN_DIR/tls/server.p12
ssl.keystore.password=$TLS_STORE_PASSWORD
ssl.key.password=$TLS_STORE_PASSWORD
ssl.client.auth=none
EOF
    scram_args=(--add-scram "SCRAM-SHA-512=[name=$SCRAM_USER,password=$SCRAM_PASSWORD]"
      --add-scram "SCRAM-SHA-256=[name=$SCRAM_USER,password=$SCRAM_PASSWORD]")
    # Java client config for Kafka CLI tools / benchmarks against the SASL_SSL listener
    cat >"$dir/client-sasl-ssl.properties" <<EOF
security.protocol=SASL_SSL
sasl.mechanism=SCRAM-SHA-512
sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="$SCRAM_USER" password="$SCRAM_PASSWORD";
ssl.truststore.type=PEM
ssl.truststore.location=$RUN_DIR/tls/ca.pem
EOF
  fi
  # 22-char base64url of 16 random bytes = a Kafka cluster id
  cluster_id="$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')"
  fresh_log "$name"
  if ! "$JAVA" -Xmx256m -Dlog4j2.configurationFile="$dir/log4j2.properties" -cp "$KAFKA_LIBS/*" \
    kafka.tools.StorageTool format --standalone -t "$cluster_id" -c "$cfg" "${scram_args[@]}" \
    >>"$LOG_DIR/$name.log" 2>&1; then
    log "formatting $name storage failed"
    tail_log "$name"
    return 1
  fi
  launch_kafka "$name"
  log "$name starting (cluster id $cluster_id, pid $(cat "$(pid_file "$name")"))"
}

# launch_kafka <name>: the broker on its formatted storage ($RUN_DIR/<name>).
launch_kafka() {
  local name=$1 dir="$RUN_DIR/$1"
  launch "$name" "$JAVA" -Xms256m -Xmx512m -XX:+UseG1GC -XX:MaxGCPauseMillis=20 \
    -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExitOnOutOfMemoryError -Djava.awt.headless=true \
    -Dlog4j2.configurationFile="$dir/log4j2.properties" -Dkafka.logs.dir="$dir/logs" \
    -Djava.security.krb5.conf="$KRB5_CONF_FILE" -cp "$KAFKA_LIBS/*" kafka.Kafka "$dir/server.properties"
}

# restart_kafka <name>: a clean shutdown (SIGTERM), then the same broker again on the same data and cluster id, as
# a rolling restart does to one broker. Clients see it go away and come back.
restart_kafka() {
  local name=$1 ready
  case "$name" in
    kafka-target) ready=kafka_target_ready ;;
    kafka-source) ready=kafka_source_ready ;;
    *) die "--restart: kafka-target or kafka-source, not '$name'" ;;
  esac
  [[ -f "$RUN_DIR/$name/server.properties" ]] || die "$name was never started in $RUN_DIR"
  stop_service "$name" 30
  # The ready check looks for "Kafka Server started" in the log: the new one must not inherit the old line.
  mv -f "$LOG_DIR/$name.log" "$LOG_DIR/$name.previous.log" 2>/dev/null || true
  launch_kafka "$name"
  log "$name restarting (pid $(cat "$(pid_file "$name")"))"
  wait_ready "$name" "$KAFKA_READY_TIMEOUT" "$ready" || exit 1
  log "$name restarted in $((SECONDS - START_TIME))s"
}

# ---------------------------------------------------------------------------------------------------
# main
# ---------------------------------------------------------------------------------------------------
NODE=""
NODE="$(resolve_node)" || true

if [[ "${1:-}" == --restart ]]; then
  restart_kafka "${2:-}"
  exit 0
fi

# wanted <name>: started by this run (DSC_SERVICES, or every service); a broker needs the kdc.
wanted() {
  [[ -z "${DSC_SERVICES:-}" || ",$DSC_SERVICES," == *",$1,"* ]] ||
    [[ "$1" == kdc && ",$DSC_SERVICES," == *",kafka-"* ]]
}

# 1. what needs starting?
declare -A TODO=()
for entry in kdc:kdc_healthy kafka-target:kafka_target_healthy kafka-source:kafka_source_healthy \
  fake-gcs:fake_gcs_healthy firestore:firestore_healthy schema-registry:schema_registry_healthy \
  schema-registry-auth:schema_registry_auth_healthy pubsub:pubsub_healthy s3:s3_healthy azurite:azurite_healthy; do
  if wanted "${entry%%:*}"; then already_up "${entry%%:*}" "${entry#*:}" || TODO[${entry%%:*}]=1; fi
done

# a new realm means new keys: brokers holding the old broker.keytab restart
if ! wanted kdc; then
  :
elif ensure_kdc_db; then
  for svc in kdc kafka-target kafka-source; do
    if wanted "$svc" || service_pid "$svc" >/dev/null; then
      TODO[$svc]=1
      stop_service "$svc"
    fi
  done
elif (($? > 1)); then
  die "could not create the Kerberos realm (see $LOG_DIR/kdc-setup.log)"
fi

# 2. downloads / builds (in parallel, each to its own log)
declare -A INSTALL_PIDS=()
if [[ -n "${TODO[kafka-target]:-}${TODO[kafka-source]:-}" ]]; then
  ensure_kafka_libs >"$LOG_DIR/install-kafka.log" 2>&1 &
  INSTALL_PIDS[install-kafka]=$!
fi
if [[ -n "${TODO[fake-gcs]:-}" ]]; then
  ensure_fake_gcs >"$LOG_DIR/install-fake-gcs.log" 2>&1 &
  INSTALL_PIDS[install-fake-gcs]=$!
fi
if [[ -n "${TODO[schema-registry]:-}" ]]; then
  ensure_apicurio >"$LOG_DIR/install-apicurio.log" 2>&1 &
  INSTALL_PIDS[install-apicurio]=$!
fi
if [[ -n "${TODO[pubsub]:-}" ]]; then
  ensure_pubsub >"$LOG_DIR/install-pubsub.log" 2>&1 &
  INSTALL_PIDS[install-pubsub]=$!
fi
if [[ -n "${TODO[s3]:-}" ]]; then
  ensure_moto >"$LOG_DIR/install-moto.log" 2>&1 &
  INSTALL_PIDS[install-moto]=$!
fi
if [[ -n "${TODO[azurite]:-}" ]]; then
  ensure_azurite >"$LOG_DIR/install-azurite.log" 2>&1 &
  INSTALL_PIDS[install-azurite]=$!
fi
if [[ -n "${TODO[kafka-source]:-}${TODO[kafka-target]:-}" ]]; then
  ensure_tls
  ensure_java_stores
fi
install_failed=0
for job in "${!INSTALL_PIDS[@]}"; do
  if ! wait "${INSTALL_PIDS[$job]}"; then
    log "$job failed"
    tail_log "$job"
    install_failed=1
  fi
done
((install_failed == 0)) || exit 1

# 3. start what is missing (the two Kafka format+launch steps run in parallel; the brokers log in to the KDC)
if [[ -n "${TODO[kdc]:-}" ]]; then
  start_kdc || exit 1
  wait_ready kdc "$READY_TIMEOUT" kdc_healthy || exit 1
fi
declare -A START_PIDS=()
if [[ -n "${TODO[kafka-target]:-}" ]]; then
  ports_free kafka-target "$KAFKA_TARGET_PORT" "$KAFKA_TARGET_CONTROLLER_PORT" "$KAFKA_TARGET_GSSAPI_PORT" || exit 1
  start_kafka kafka-target "$KAFKA_TARGET_PORT" "$KAFKA_TARGET_CONTROLLER_PORT" "" "$KAFKA_TARGET_GSSAPI_PORT" &
  START_PIDS[kafka-target]=$!
fi
if [[ -n "${TODO[kafka-source]:-}" ]]; then
  ports_free kafka-source "$KAFKA_SOURCE_PORT" "$KAFKA_SOURCE_CONTROLLER_PORT" "$KAFKA_SOURCE_SASL_SSL_PORT" \
    "$KAFKA_SOURCE_GSSAPI_PORT" || exit 1
  start_kafka kafka-source "$KAFKA_SOURCE_PORT" "$KAFKA_SOURCE_CONTROLLER_PORT" "$KAFKA_SOURCE_SASL_SSL_PORT" \
    "$KAFKA_SOURCE_GSSAPI_PORT" &
  START_PIDS[kafka-source]=$!
fi
if [[ -n "${TODO[fake-gcs]:-}" ]]; then
  ports_free fake-gcs "$FAKE_GCS_PORT" || exit 1
  fresh_log fake-gcs
  launch fake-gcs "$FAKE_GCS_BIN" -scheme http -host "$HOST" -port "$FAKE_GCS_PORT" \
    -backend memory -public-host "$HOST:$FAKE_GCS_PORT" -log-level info
fi
if [[ -n "${TODO[firestore]:-}" ]]; then
  [[ -n "$NODE" ]] || die "node not found: run npm install (the project's node_modules/.bin/node is used)"
  [[ -d "$DSC_ROOT/node_modules/@firestore-emulator/server" ]] ||
    die "node_modules/@firestore-emulator/server missing: run npm install first"
  ports_free firestore "$FIRESTORE_PORT" "$FIRESTORE_ADMIN_PORT" || exit 1
  fresh_log firestore
  launch firestore "$NODE" "$DSC_ROOT/test/services/firestore-emulator.mjs" \
    --host "$HOST" --port "$FIRESTORE_PORT" --admin-port "$FIRESTORE_ADMIN_PORT"
fi
if [[ -n "${TODO[schema-registry]:-}" ]]; then
  ports_free schema-registry "$SCHEMA_REGISTRY_PORT" || exit 1
  fresh_log schema-registry
  launch schema-registry "$JAVA" -Xms64m -Xmx384m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 \
    -Dquarkus.http.host="$HOST" -Dquarkus.http.port="$SCHEMA_REGISTRY_PORT" \
    -Dquarkus.log.level=WARN -Dquarkus.http.access-log.enabled=false \
    -jar "$APICURIO_JAR"
fi
if [[ -n "${TODO[schema-registry-auth]:-}" ]]; then
  [[ -n "$NODE" ]] || die "node not found"
  ports_free schema-registry-auth "$SCHEMA_REGISTRY_AUTH_PORT" || exit 1
  fresh_log schema-registry-auth
  launch schema-registry-auth "$NODE" "$DSC_ROOT/test/fixtures/schema-registry/auth-proxy.mjs" \
    --listen "$HOST:$SCHEMA_REGISTRY_AUTH_PORT" --target "http://$HOST:$SCHEMA_REGISTRY_PORT" \
    --user "$SR_USER" --password "$SR_PASSWORD"
fi
if [[ -n "${TODO[pubsub]:-}" ]]; then start_pubsub || exit 1; fi
if [[ -n "${TODO[s3]:-}" ]]; then start_s3 || exit 1; fi
if [[ -n "${TODO[azurite]:-}" ]]; then start_azurite || exit 1; fi
for svc in "${!START_PIDS[@]}"; do
  wait "${START_PIDS[$svc]}" || exit 1
done

# 4. readiness (everything boots concurrently; wait for each in turn)
failed=0
[[ -z "${TODO[kafka-target]:-}" ]] || wait_ready kafka-target "$KAFKA_READY_TIMEOUT" kafka_target_ready || failed=1
[[ -z "${TODO[kafka-source]:-}" ]] || wait_ready kafka-source "$KAFKA_READY_TIMEOUT" kafka_source_ready || failed=1
[[ -z "${TODO[fake-gcs]:-}" ]] || wait_ready fake-gcs "$READY_TIMEOUT" fake_gcs_healthy || failed=1
[[ -z "${TODO[firestore]:-}" ]] || wait_ready firestore "$READY_TIMEOUT" firestore_healthy || failed=1
[[ -z "${TODO[schema-registry]:-}" ]] || wait_ready schema-registry "$READY_TIMEOUT" schema_registry_healthy || failed=1
[[ -z "${TODO[schema-registry-auth]:-}" ]] || wait_ready schema-registry-auth "$READY_TIMEOUT" schema_registry_auth_healthy || failed=1
[[ -z "${TODO[pubsub]:-}" ]] || wait_ready pubsub "$READY_TIMEOUT" pubsub_healthy || failed=1
if [[ -n "${TODO[s3]:-}" ]]; then
  { wait_ready s3 "$READY_TIMEOUT" s3_up && s3_make_credentials; } || failed=1
fi
[[ -z "${TODO[azurite]:-}" ]] || wait_ready azurite "$READY_TIMEOUT" azurite_healthy || failed=1
if ((failed)); then
  log "some services failed to start (logs in $LOG_DIR); run test/services/down.sh to clean up"
  rm -f "$ENV_FILE"
  exit 1
fi

# 5. env file (atomic) + echo
tmp_env="$(mktemp "$RUN_DIR/.services.env.XXXXXX")"
cat >"$tmp_env" <<EOF
KAFKA_BROKERS=$HOST:$KAFKA_TARGET_PORT
KAFKA_VERSION=$KAFKA_VERSION
SOURCE_KAFKA_BROKERS=$HOST:$KAFKA_SOURCE_PORT
SOURCE_KAFKA_SASL_SSL_BROKERS=$HOST:$KAFKA_SOURCE_SASL_SSL_PORT
SOURCE_KAFKA_SCRAM_USER=$SCRAM_USER
SOURCE_KAFKA_SCRAM_PASSWORD=$SCRAM_PASSWORD
SOURCE_KAFKA_SCRAM_MECHANISMS=SCRAM-SHA-512,SCRAM-SHA-256
SOURCE_KAFKA_CA_PEM=$RUN_DIR/tls/ca.pem
SOURCE_KAFKA_SASL_SSL_CLIENT_PROPERTIES=$RUN_DIR/kafka-source/client-sasl-ssl.properties
STORAGE_EMULATOR_HOST=http://$HOST:$FAKE_GCS_PORT
FIRESTORE_EMULATOR_HOST=$HOST:$FIRESTORE_PORT
FIRESTORE_EMULATOR_ADMIN_URL=http://$HOST:$FIRESTORE_ADMIN_PORT
SCHEMA_REGISTRY_URL=http://$HOST:$SCHEMA_REGISTRY_PORT$SCHEMA_REGISTRY_PATH
SCHEMA_REGISTRY_AUTH_URL=http://$HOST:$SCHEMA_REGISTRY_AUTH_PORT$SCHEMA_REGISTRY_PATH
SCHEMA_REGISTRY_USER=$SR_USER
SCHEMA_REGISTRY_PASSWORD=$SR_PASSWORD
KAFKA_LIBS=$KAFKA_LIBS
JAVA=$JAVA
DSC_SERVICES_LOG_DIR=$LOG_DIR
$(pubsub_env)
EOF
if wanted s3 && wanted azurite; then cloud_storage_env >>"$tmp_env"; fi
kdc_services_env >>"$tmp_env"
mv "$tmp_env" "$ENV_FILE"
log "all services up in $((SECONDS - START_TIME))s; env file: $ENV_FILE"
cat "$ENV_FILE"
