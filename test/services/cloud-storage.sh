# shellcheck shell=bash
# The S3 and Azure Blob emulators of up.sh/down.sh (sourced after lib.sh):
#   s3      moto server (moto[server] from PyPI, cached venv), IAM auth on   http://127.0.0.1:5050
#   azurite Azurite Blob service (npm, cached), in memory, no telemetry       http://127.0.0.1:10000/devstoreaccount1
# -> DSC_TEST_S3_ENDPOINT/ACCESS_KEY/SECRET_KEY/REGION, DSC_TEST_AZURE_ENDPOINT/ACCOUNT/KEY in services.env.
#
# moto accepts any key unless told otherwise: INITIAL_NO_AUTH_ACTION_COUNT=3 lets the three IAM calls that make a
# user, its policy and its access key through unsigned, and checks every request after that, so a wrong key fails
# as on AWS (InvalidAccessKeyId, SignatureDoesNotMatch). The key made is kept in $RUN_DIR/s3-credentials.
# gofakes3 fails ranged reads on checksums with the JS SDK and MinIO is AGPL and unmaintained: not used.

MOTO_VERSION="${DSC_MOTO_VERSION:-5.2.6}"
AZURITE_VERSION="${DSC_AZURITE_VERSION:-3.35.0}"
MOTO_DIR="$DSC_CACHE/moto-$MOTO_VERSION"
AZURITE_DIR="$DSC_CACHE/azurite-$AZURITE_VERSION"
S3_PORT=$((5050 + ${DSC_PORT_OFFSET:-0}))
AZURITE_PORT=$((10000 + ${DSC_PORT_OFFSET:-0}))
S3_REGION=us-east-1
S3_CREDENTIALS="$RUN_DIR/s3-credentials"
# Azurite's well-known development account (public, in Microsoft's docs).
AZURE_ACCOUNT=devstoreaccount1
AZURE_KEY='Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=='
ALL_SERVICES+=(s3 azurite)

ensure_moto() {
  [[ -f "$MOTO_DIR/.complete" ]] && return 0
  log "installing moto[server] $MOTO_VERSION into $MOTO_DIR (PyPI)"
  # A venv's scripts name their interpreter by absolute path, so it is built in place; .complete marks it whole.
  rm -rf "$MOTO_DIR"
  python3 -m venv "$MOTO_DIR"
  "$MOTO_DIR/bin/pip" install -q "moto[server]==$MOTO_VERSION"
  touch "$MOTO_DIR/.complete"
}

ensure_azurite() {
  [[ -f "$AZURITE_DIR/.complete" ]] && return 0
  log "installing azurite $AZURITE_VERSION into $AZURITE_DIR (npm)"
  local tmp
  tmp="$(mktemp -d "$DSC_CACHE/.azurite.XXXXXX")"
  (cd "$tmp" && echo '{"private":true}' >package.json &&
    npm install --no-audit --no-fund --ignore-scripts -q "azurite@$AZURITE_VERSION" >/dev/null)
  touch "$tmp/.complete"
  rm -rf "$AZURITE_DIR"
  mv "$tmp" "$AZURITE_DIR"
}

s3_healthy() { http_ok "http://$HOST:$S3_PORT/moto-api/" && [[ -s "$S3_CREDENTIALS" ]]; }
# Any HTTP answer (Azurite answers 400 to an unsigned request) means it is serving.
azurite_healthy() {
  local code
  code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://$HOST:$AZURITE_PORT/$AZURE_ACCOUNT?comp=list")"
  [[ "$code" != 000 ]]
}

start_s3() {
  ports_free s3 "$S3_PORT" || return 1
  fresh_log s3
  rm -f "$S3_CREDENTIALS"
  launch s3 env INITIAL_NO_AUTH_ACTION_COUNT=3 "$MOTO_DIR/bin/moto_server" -H "$HOST" -p "$S3_PORT"
}

# After the server answers: the IAM user and access key every later request must sign with.
s3_make_credentials() {
  "$MOTO_DIR/bin/python" - "http://$HOST:$S3_PORT" "$S3_REGION" >"$S3_CREDENTIALS.tmp" <<'EOF'
import json, sys, boto3
iam = boto3.client('iam', endpoint_url=sys.argv[1], region_name=sys.argv[2],
                   aws_access_key_id='setup', aws_secret_access_key='setup')
iam.create_user(UserName='dsc')
iam.put_user_policy(UserName='dsc', PolicyName='all', PolicyDocument=json.dumps(
    {'Version': '2012-10-17', 'Statement': [{'Effect': 'Allow', 'Action': '*', 'Resource': '*'}]}))
key = iam.create_access_key(UserName='dsc')['AccessKey']
print(f"{key['AccessKeyId']} {key['SecretAccessKey']}")
EOF
  mv "$S3_CREDENTIALS.tmp" "$S3_CREDENTIALS"
}

s3_up() { http_ok "http://$HOST:$S3_PORT/moto-api/"; }

start_azurite() {
  [[ -n "$NODE" ]] || die "node not found"
  ports_free azurite "$AZURITE_PORT" || return 1
  fresh_log azurite
  launch azurite "$NODE" "$AZURITE_DIR/node_modules/azurite/dist/src/blob/main.js" --blobHost "$HOST" \
    --blobPort "$AZURITE_PORT" --inMemoryPersistence --disableTelemetry --loose --skipApiVersionCheck
}

cloud_storage_env() {
  local id secret
  read -r id secret <"$S3_CREDENTIALS"
  cat <<EOF
DSC_TEST_S3_ENDPOINT=http://$HOST:$S3_PORT
DSC_TEST_S3_ACCESS_KEY=$id
DSC_TEST_S3_SECRET_KEY=$secret
DSC_TEST_S3_REGION=$S3_REGION
DSC_TEST_AZURE_ENDPOINT=http://$HOST:$AZURITE_PORT/$AZURE_ACCOUNT
DSC_TEST_AZURE_ACCOUNT=$AZURE_ACCOUNT
DSC_TEST_AZURE_KEY=$AZURE_KEY
EOF
}
