# shellcheck shell=bash
# Kerberos (MIT KDC) and Java key stores for the GSSAPI listeners; sourced by up.sh after lib.sh.
#
#   kdc   MIT krb5kdc, realm DSC.TEST, tcp+udp 127.0.0.1:7088 (+DSC_PORT_OFFSET); state in $RUN_DIR/kdc
#
# Principals (made once with kadmin.local, keytabs beside the database):
#   kafka/127.0.0.1@DSC.TEST  the brokers (broker.keytab)
#   dsc-client@DSC.TEST       DSC_TEST_PRINCIPAL / DSC_TEST_KEYTAB
#   dsc-other@DSC.TEST        a second principal (two connectors, one process)
#   dsc-short@DSC.TEST        tickets live 20 s (ticket expiry mid-run)
# krb5.conf also names UNREACHABLE.TEST, a realm whose KDC port is closed (the "KDC cannot be reached" case);
# unreachable.keytab (ktutil) holds a key for dsc-client@UNREACHABLE.TEST.
# Java stores ($RUN_DIR/tls, made by keytool from up.sh's CA): server.jks (brokers), client.keystore.jks and
# client.truststore.jks (clients, JKS), truststore.p12 (certificates only, PKCS12).

KRB5_REALM=DSC.TEST
KDC_DIR="$RUN_DIR/kdc"
KDC_PORT=$((7088 + _o))
KDC_CLOSED_PORT=$((7089 + _o)) # nothing listens here: UNREACHABLE.TEST's KDC
KRB5_CONF_FILE="$KDC_DIR/krb5.conf"
KDC_CONF_FILE="$KDC_DIR/kdc.conf"
KAFKA_TARGET_GSSAPI_PORT=$((9094 + _o))
KAFKA_SOURCE_GSSAPI_PORT=$((19095 + _o))
KAFKA_SERVICE_PRINCIPAL="kafka/$HOST@$KRB5_REALM"
SHORT_TICKET_LIFE=20s
# Connections on the GSSAPI listeners must re-authenticate this often (KIP-368), as a broker enforcing Kerberos
# ticket lifetimes would: a client that cannot log in again mid-run is cut off.
GSSAPI_REAUTH_MS=30000

kdc_env() { KRB5_CONFIG="$KRB5_CONF_FILE" KRB5_KDC_PROFILE="$KDC_CONF_FILE" "$@"; }
kdc_healthy() { port_open "$HOST" "$KDC_PORT"; }

write_krb5_conf() {
  mkdir -p "$KDC_DIR"
  # TCP only (udp_preference_limit=1) so that a closed KDC port fails at once; no DNS anywhere. A small clock skew
  # lets a 20 s ticket really expire (the default 5 min grace would hide it). Java reads this file too.
  cat >"$KRB5_CONF_FILE" <<EOF
[libdefaults]
  default_realm = $KRB5_REALM
  dns_lookup_realm = false
  dns_lookup_kdc = false
  dns_canonicalize_hostname = false
  rdns = false
  udp_preference_limit = 1
  clockskew = 2
  kdc_timeout = 3000
  max_retries = 1
  ticket_lifetime = 10h
  forwardable = false
[realms]
  $KRB5_REALM = {
    kdc = $HOST:$KDC_PORT
  }
  UNREACHABLE.TEST = {
    kdc = $HOST:$KDC_CLOSED_PORT
  }
[domain_realm]
  $HOST = $KRB5_REALM
  localhost = $KRB5_REALM
EOF
  cat >"$KDC_CONF_FILE" <<EOF
[kdcdefaults]
  kdc_listen = $HOST:$KDC_PORT
  kdc_tcp_listen = $HOST:$KDC_PORT
[realms]
  $KRB5_REALM = {
    database_name = $KDC_DIR/principal
    key_stash_file = $KDC_DIR/stash
    acl_file = $KDC_DIR/kadm5.acl
    max_life = 10h
    max_renewable_life = 0
    supported_enctypes = aes256-cts-hmac-sha1-96:normal aes128-cts-hmac-sha1-96:normal
  }
[logging]
  kdc = STDERR
EOF
  : >"$KDC_DIR/kadm5.acl"
}

# The database and keytabs are made once: keytabs hold random keys, so re-making them would invalidate the
# brokers' keytab. Returns 0 when it (re)created them (callers then restart the brokers).
ensure_kdc_db() {
  [[ -f "$KDC_DIR/.complete" ]] && return 1
  log "creating Kerberos realm $KRB5_REALM and keytabs in $KDC_DIR"
  rm -rf "$KDC_DIR"
  write_krb5_conf
  kdc_env kdb5_util create -s -r "$KRB5_REALM" -P "dsc-kdc-master-$RANDOM$RANDOM" >"$LOG_DIR/kdc-setup.log" 2>&1 ||
    { tail_log kdc-setup; return 2; }
  local q=(
    "addprinc -randkey $KAFKA_SERVICE_PRINCIPAL"
    "addprinc -randkey kafka/localhost@$KRB5_REALM"
    "ktadd -k $KDC_DIR/broker.keytab $KAFKA_SERVICE_PRINCIPAL kafka/localhost@$KRB5_REALM"
    "addprinc -randkey dsc-client@$KRB5_REALM"
    "ktadd -k $KDC_DIR/client.keytab dsc-client@$KRB5_REALM"
    "addprinc -randkey dsc-other@$KRB5_REALM"
    "ktadd -k $KDC_DIR/other.keytab dsc-other@$KRB5_REALM"
    "addprinc -randkey -maxlife $SHORT_TICKET_LIFE dsc-short@$KRB5_REALM"
    "ktadd -k $KDC_DIR/short.keytab dsc-short@$KRB5_REALM"
  )
  local cmd
  for cmd in "${q[@]}"; do
    kdc_env kadmin.local -r "$KRB5_REALM" -q "$cmd" >>"$LOG_DIR/kdc-setup.log" 2>&1 ||
      { log "kadmin.local failed: $cmd"; tail_log kdc-setup; return 2; }
  done
  # a keytab for a principal of UNREACHABLE.TEST (no KDC listens there): the "KDC down" case for clients
  printf '%s\n' "addent -password -p dsc-client@UNREACHABLE.TEST -k 1 -e aes256-cts-hmac-sha1-96" "unreachable" \
    "wkt $KDC_DIR/unreachable.keytab" quit | kdc_env ktutil >>"$LOG_DIR/kdc-setup.log" 2>&1
  [[ -s "$KDC_DIR/unreachable.keytab" ]] || { log "ktutil failed"; tail_log kdc-setup; return 2; }
  chmod 600 "$KDC_DIR"/*.keytab
  touch "$KDC_DIR/.complete"
  return 0
}

start_kdc() {
  ports_free kdc "$KDC_PORT" || return 1
  fresh_log kdc
  write_krb5_conf
  launch kdc env KRB5_CONFIG="$KRB5_CONF_FILE" KRB5_KDC_PROFILE="$KDC_CONF_FILE" krb5kdc -n -r "$KRB5_REALM"
}

# Java stores from the PEM CA/server material of ensure_tls (re-made whenever that is).
ensure_java_stores() {
  local d="$RUN_DIR/tls" pw="$TLS_STORE_PASSWORD"
  [[ -f "$d/client.keystore.jks" && "$d/client.keystore.jks" -nt "$d/ca.pem" ]] && return 0
  log "creating JKS/PKCS12 stores with keytool in $d"
  (
    cd "$d"
    rm -f server.jks client.keystore.jks client.truststore.jks truststore.p12 client.p12
    keytool -importkeystore -noprompt -srckeystore server.p12 -srcstoretype PKCS12 -srcstorepass "$pw" \
      -destkeystore server.jks -deststoretype JKS -deststorepass "$pw" -destkeypass "$pw" >/dev/null 2>&1
    keytool -importcert -noprompt -alias dsc-test-ca -file ca.pem -keystore client.truststore.jks \
      -storetype JKS -storepass "$pw" >/dev/null 2>&1
    keytool -importcert -noprompt -alias dsc-test-ca -file ca.pem -keystore truststore.p12 \
      -storetype PKCS12 -storepass "$pw" >/dev/null 2>&1
    openssl req -newkey rsa:2048 -nodes -sha256 -keyout client.key -out client.csr -subj "/CN=dsc-client" 2>/dev/null
    printf '%s\n' "basicConstraints=CA:FALSE" "extendedKeyUsage=clientAuth" >client.ext
    openssl x509 -req -sha256 -days 825 -in client.csr -CA ca.pem -CAkey ca.key -CAcreateserial \
      -extfile client.ext -out client.pem 2>/dev/null
    openssl pkcs12 -export -in client.pem -inkey client.key -certfile ca.pem -name dsc-client \
      -out client.p12 -passout "pass:$pw"
    keytool -importkeystore -noprompt -srckeystore client.p12 -srcstoretype PKCS12 -srcstorepass "$pw" \
      -destkeystore client.keystore.jks -deststoretype JKS -deststorepass "$pw" -destkeypass "$pw" >/dev/null 2>&1
    chmod 600 client.key
  )
}

# Lines for a broker's server.properties: a GSSAPI://127.0.0.1:<port> listener, SASL_SSL with a JKS key store,
# client certificates required (so a client's key store is really used), re-authentication every 30 s.
kafka_gssapi_properties() {
  local d="$RUN_DIR/tls" pw="$TLS_STORE_PASSWORD"
  cat <<EOF
sasl.kerberos.service.name=kafka
listener.name.gssapi.sasl.enabled.mechanisms=GSSAPI
listener.name.gssapi.gssapi.sasl.jaas.config=com.sun.security.auth.module.Krb5LoginModule required useKeyTab=true storeKey=true keyTab="$KDC_DIR/broker.keytab" principal="$KAFKA_SERVICE_PRINCIPAL";
listener.name.gssapi.ssl.keystore.type=JKS
listener.name.gssapi.ssl.keystore.location=$d/server.jks
listener.name.gssapi.ssl.keystore.password=$pw
listener.name.gssapi.ssl.key.password=$pw
listener.name.gssapi.ssl.truststore.type=JKS
listener.name.gssapi.ssl.truststore.location=$d/client.truststore.jks
listener.name.gssapi.ssl.truststore.password=$pw
listener.name.gssapi.ssl.client.auth=required
listener.name.gssapi.connections.max.reauth.ms=$GSSAPI_REAUTH_MS
EOF
}

kdc_services_env() {
  cat <<EOF
KAFKA_GSSAPI_BROKERS=$HOST:$KAFKA_TARGET_GSSAPI_PORT
SOURCE_KAFKA_GSSAPI_BROKERS=$HOST:$KAFKA_SOURCE_GSSAPI_PORT
KRB5_CONFIG=$KRB5_CONF_FILE
DSC_TEST_REALM=$KRB5_REALM
DSC_TEST_PRINCIPAL=dsc-client@$KRB5_REALM
DSC_TEST_KEYTAB=$KDC_DIR/client.keytab
DSC_TEST_PRINCIPAL_2=dsc-other@$KRB5_REALM
DSC_TEST_KEYTAB_2=$KDC_DIR/other.keytab
DSC_TEST_SHORT_PRINCIPAL=dsc-short@$KRB5_REALM
DSC_TEST_SHORT_KEYTAB=$KDC_DIR/short.keytab
DSC_TEST_SHORT_TICKET_SECONDS=${SHORT_TICKET_LIFE%s}
DSC_TEST_GSSAPI_REAUTH_MS=$GSSAPI_REAUTH_MS
DSC_TEST_UNREACHABLE_PRINCIPAL=dsc-client@UNREACHABLE.TEST
DSC_TEST_UNREACHABLE_KEYTAB=$KDC_DIR/unreachable.keytab
DSC_TEST_TRUSTSTORE_JKS=$RUN_DIR/tls/client.truststore.jks
DSC_TEST_KEYSTORE_JKS=$RUN_DIR/tls/client.keystore.jks
DSC_TEST_TRUSTSTORE_P12=$RUN_DIR/tls/truststore.p12
DSC_TEST_STORE_PASSWORD=$TLS_STORE_PASSWORD
EOF
}
