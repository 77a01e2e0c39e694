#!/usr/bin/env bash
# Chaos under load (issue 16): http-server with 4 processes under steady keep-alive load while
# workers are reloaded, killed (-9) and stalled (SIGSTOP/SIGCONT), then a SIGTERM stop; then the chat
# example's clients while its Channel server is killed. Fails on any failed request that was not on
# the killed worker's connections, and on any chat client that hears nothing within 5 s of the
# Channel server's return. See chaos.py. Bounded: 170 s (CHAOS_TIMEOUT), then 10 s to clean up.
#   SWIFT_SCRATCH_PATH=DIR  the build directory
set -euo pipefail
cd "$(dirname "$0")/../.."

python3 -c "import websockets" 2>/dev/null || bash .ci/deps/websocket.sh
SCRATCH="${SWIFT_SCRATCH_PATH:-.build}"
for product in http-server chat; do
    swift build --scratch-path "$SCRATCH" --product "$product" >/dev/null 2>&1 ||
        swift build --scratch-path "$SCRATCH" --product "$product"
done
BIN="$(swift build --scratch-path "$SCRATCH" --show-bin-path 2>/dev/null)"
exec timeout --kill-after=10 "${CHAOS_TIMEOUT:-170}" python3 .ci/checks/chaos.py "$BIN"
