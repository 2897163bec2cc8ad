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

# shellcheck source=examples/demo-setup.sh
source examples/demo-setup.sh

vite-node test/services/deployed/demo-cloud.ts

node examples/show-topics.mjs person-demo-104 friend-demo-104
