#!/usr/bin/env bash
# Writes Deploy/workerman.order, the symbol order Deploy/small-build.sh links with: the functions and
# then the data that an http-hello worker (and its master) touch while starting, serving requests
# and idling, as valgrind sees them (callgrind for functions, lackey for data). lld places them
# first in their sections, side by side; symbols the order names but a program lacks are skipped.
#
#   bash Deploy/make-order-file.sh        (needs valgrind, wrk and curl; about two minutes)
#
# Run it again after large changes to WorkerCore or Protocols, or on a new Swift toolchain.
set -euo pipefail
DEPLOY=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=/dev/null
source "$DEPLOY/hello-server.sh"
TMP="$HELLO_DIR/traces"
binary=$(ORDER_FILE="" bash "$DEPLOY/small-build.sh" http-hello)

# run_traced TOOL ARGS...: runs http-hello under valgrind TOOL with ARGS, loads it, stops it.
run_traced() {
    local port
    port=$(free_port)
    mkdir -p "$TMP/$1"
    start_hello "$port" valgrind --tool="$@" --trace-children=yes "$binary"
    wrk -t1 -c4 -d2s "http://127.0.0.1:$port/" >/dev/null
    curl -sf -m 5 -H 'Connection: close' "http://127.0.0.1:$port/" >/dev/null
    sleep 1   # idle
    MASTER=$HELLO_PID
    stop_hello
}

echo "== functions (callgrind)" >&2
run_traced callgrind --demangle=no --callgrind-out-file="$TMP/callgrind/%p"
worker=$(ls "$TMP/callgrind" | grep -vx "$MASTER")
python3 "$DEPLOY/order-symbols.py" code "$TMP/callgrind/$worker" "$TMP/callgrind/$MASTER" >"$TMP/code"
echo "== data (lackey)" >&2
run_traced lackey --trace-mem=yes --log-file="$TMP/lackey/%p"
worker=$(ls "$TMP/lackey" | grep -vx "$MASTER")
python3 "$DEPLOY/order-symbols.py" data "$binary" "$TMP/lackey/$worker" "$TMP/lackey/$MASTER" >"$TMP/data"

{
    echo "# Symbol order for Deploy/small-build.sh, written by Deploy/make-order-file.sh; do not edit."
    echo "# $(swift --version 2>/dev/null | head -1)"
    echo "# $(wc -l <"$TMP/code") functions, then $(wc -l <"$TMP/data") data symbols."
    cat "$TMP/code" "$TMP/data"
} >"$DEPLOY/workerman.order"
echo "wrote $DEPLOY/workerman.order: $(wc -l <"$TMP/code") functions, $(wc -l <"$TMP/data") data symbols" >&2
