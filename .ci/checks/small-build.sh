#!/usr/bin/env bash
# The small static build (Deploy/small-build.sh) still links and serves: builds http-hello with it,
# starts it on a free port, fails unless GET / answers "Hello, World!", and prints the worker's
# VmRSS and RssAnon (for the record; `Benchmarks/run.sh memory` is where memory is compared).
# Bounded: 20 s for the server to answer; the server is killed by its pid on exit.
set -euo pipefail
cd "$(dirname "$0")/../.."

BINARY=$(bash Deploy/small-build.sh http-hello)
WORK=$(mktemp -d)
MASTER=""
cleanup() {
    [[ -z $MASTER ]] || kill -KILL "$MASTER" $(pgrep -P "$MASTER" || true) 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT

PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
WORKERMAN_RUNTIME_DIR="$WORK" HTTP_PORT="$PORT" "$BINARY" start >"$WORK/out" 2>&1 &
MASTER=$!
body=""
for _ in $(seq 200); do
    body=$(curl -sf -m 2 "http://127.0.0.1:$PORT/" || true)
    [[ -z $body ]] || break
    sleep 0.1
done
[[ $body == "Hello, World!" ]] || { echo "small build: no answer (got '$body'):"; cat "$WORK/out"; exit 1; }
sleep 1
worker=$(pgrep -P "$MASTER" | head -1)
echo "small build: http-hello answers; idle worker $(grep -E 'VmRSS|RssAnon' "/proc/$worker/status" | tr -s ' \t\n' ' ')"
kill -INT "$MASTER"
wait "$MASTER" || true
MASTER=""
