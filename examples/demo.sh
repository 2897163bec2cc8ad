#!/usr/bin/env bash
# The README's first command (`npm ci && npm run demo`): the seed's p.csv/f.csv example, end to end on this machine.
#   1. start the local services (Kafka, fake-gcs-server, ...; idempotent)
#   2. build dsc
#   3. upload examples/data/p.csv and f.csv to the bucket `example` on fake-gcs-server
#   4. dsc run --c examples/social.conf --fresh   (two connectors, topics person-demo-104 and friend-demo-104)
#   5. print what arrived on both topics
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# shellcheck source=examples/demo-setup.sh
source examples/demo-setup.sh

export DSC_STATE_DIR="${DSC_STATE_DIR:-.dsc}"
npm run --silent dsc -- run --c examples/social.conf --fresh

node_modules/.bin/node examples/show-topics.mjs person-demo-104 friend-demo-104
