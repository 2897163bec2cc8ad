# Sourced by demo.sh and demo-cloud.sh: what both demos do before loading (run from the repository's root).
#   start the local services (idempotent) and take their addresses, build dsc, upload examples/data/p.csv and f.csv
#   to the bucket `example` on fake-gcs-server, and empty the two topics so what is printed after is this run's.
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

node_modules/.bin/node examples/show-topics.mjs --delete person-demo-104 friend-demo-104
