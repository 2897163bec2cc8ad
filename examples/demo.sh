#!/usr/bin/env bash
# The README's first command (`npm ci && npm run demo`): the seed's p.csv/f.csv example, end to end on this machine.
#   1. start the local services (Kafka, fake-gcs-server, ...; idempotent)
#   2. build dsc
#   3. upload examples/data/p.csv and f.csv to the bucket `example` on fake-gcs-server
#   4. dsc run --c examples/social.conf --fresh   (two connectors, topics person-demo-104 and friend-demo-104)
#   5. print what arrived on both topics
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

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
node_modules/.bin/node examples/show-topics.mjs --delete person-demo-104 friend-demo-104

export DSC_STATE_DIR="${DSC_STATE_DIR:-.dsc}"
npm run --silent dsc -- run --c examples/social.conf --fresh

node_modules/.bin/node examples/show-topics.mjs person-demo-104 friend-demo-104
