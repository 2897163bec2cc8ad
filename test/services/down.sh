#!/usr/bin/env bash
# Stops every service started by test/services/up.sh (idempotent).
#   --purge   also delete the run state (Kafka data, TLS material, logs); caches are kept.
set -euo pipefail

# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=pubsub.sh
source "$(dirname "${BASH_SOURCE[0]}")/pubsub.sh"
# shellcheck source=cloud-storage.sh
source "$(dirname "${BASH_SOURCE[0]}")/cloud-storage.sh"

mkdir -p "$PID_DIR"
# the env file describes running services: remove it first so nobody picks up stale addresses
rm -f "$ENV_FILE"

# stop in parallel (Kafka's controlled shutdown takes a few seconds), reverse start order
pids=()
for ((i = ${#ALL_SERVICES[@]} - 1; i >= 0; i--)); do
  stop_service "${ALL_SERVICES[$i]}" 30 &
  pids+=($!)
done
for p in "${pids[@]}"; do wait "$p" || true; done

if [[ "${1:-}" == "--purge" ]]; then
  log "purging $RUN_DIR"
  rm -rf "$RUN_DIR"
fi
log "all services stopped"
