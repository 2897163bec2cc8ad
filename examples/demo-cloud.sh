#!/usr/bin/env bash
# `npm run demo:cloud`: the seed's p.csv/f.csv example on the deployed shape, on this machine: manage, plan, work and
# notify as separate functions-framework processes, Pub/Sub (emulator) pushing to them as infra/ wires it, Firestore
# (emulator) as the store, files on fake-gcs-server, the mirror container entry beside them.
#   1. start the local services (Kafka, fake-gcs-server, Firestore, Pub/Sub, ...; idempotent) and build dsc
#   2. upload examples/data/p.csv and f.csv to the bucket `example`
#   3. start the shape, `dsc create --c examples/social.conf` over HTTP (DSC_URL, token), wait until FINISHED, stop it
#   4. print what arrived on both topics
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export PATH="$PWD/node_modules/.bin:$PATH"

npm run --silent services:up >/dev/null
set -a
# shellcheck disable=SC1090
source "${HOME}/.cache/dsc/run/services.env"
set +a
npm run --silent build

GCS="${STORAGE_EMULATOR_HOST:-http://127.0.0.1:4443}"
# 409 when the bucket exists already: fine.
curl -sS -o /dev/null -X POST -H 'Content-Type: application/json' -d '{"name":"example"}' "$GCS/storage/v1/b" || true
for f in p.csv f.csv; do
  curl -sS -f -o /dev/null -X POST -H 'Content-Type: text/csv' --data-binary "@examples/data/$f" \
    "$GCS/upload/storage/v1/b/example/o?uploadType=media&name=$f"
  echo "uploaded gs://example/$f"
done

# Start from empty topics, so what is printed below is exactly what this run loaded.
node examples/show-topics.mjs --delete person-demo-104 friend-demo-104

vite-node test/services/deployed/demo-cloud.ts

node examples/show-topics.mjs person-demo-104 friend-demo-104
