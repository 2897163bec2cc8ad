# shellcheck shell=bash
# The Pub/Sub emulator service of up.sh/down.sh (sourced after lib.sh): Google's pstest in-memory server, built from
# test/services/pubsub-emulator (a Go main around cloud.google.com/go/pubsub/v2/pstest) once per source version.
#   pubsub   Pub/Sub emulator (gRPC)   127.0.0.1:8085   -> PUBSUB_EMULATOR_HOST

PUBSUB_PORT=$((8085 + ${DSC_PORT_OFFSET:-0}))
PUBSUB_SRC="$DSC_ROOT/test/services/pubsub-emulator"
ALL_SERVICES+=(pubsub)

# Cached under a hash of its sources, so an edit of main.go or go.mod rebuilds it.
pubsub_bin() {
  local sum
  sum="$(cat "$PUBSUB_SRC/go.mod" "$PUBSUB_SRC/go.sum" "$PUBSUB_SRC/main.go" | sha256sum | cut -c1-12)"
  echo "$DSC_CACHE/bin/pubsub-emulator-$sum"
}

ensure_pubsub() {
  local bin tmp
  bin="$(pubsub_bin)"
  [[ -x "$bin" ]] && return 0
  log "building the Pub/Sub emulator (pstest) into $bin"
  tmp="$(mktemp "$DSC_CACHE/bin/.pubsub-emulator.XXXXXX")"
  (cd "$PUBSUB_SRC" && go build -buildvcs=false -o "$tmp" .)
  mv "$tmp" "$bin"
}

# pstest speaks gRPC only: a listening port on a live process of ours is the health signal.
pubsub_healthy() { port_open "$HOST" "$PUBSUB_PORT"; }

start_pubsub() {
  ports_free pubsub "$PUBSUB_PORT" || return 1
  fresh_log pubsub
  launch pubsub "$(pubsub_bin)" -host "$HOST" -port "$PUBSUB_PORT"
}

pubsub_env() { echo "PUBSUB_EMULATOR_HOST=$HOST:$PUBSUB_PORT"; }
