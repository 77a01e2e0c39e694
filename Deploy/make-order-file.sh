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
TMP=$(mktemp -d)
MASTER=""
cleanup() {
    [[ -z $MASTER ]] || kill -KILL "$MASTER" $(pgrep -P "$MASTER" || true) 2>/dev/null || true
    rm -rf "$TMP"
}
trap cleanup EXIT

binary=$(ORDER_FILE="" bash "$DEPLOY/small-build.sh" http-hello)
port=$((20000 + RANDOM % 10000))

# run_traced TOOL ARGS...: runs http-hello under valgrind TOOL, loads it, stops it; one log per process.
run_traced() {
    local tool=$1
    shift
    rm -rf "$TMP/run" && mkdir -p "$TMP/run/$tool"
    WORKERMAN_RUNTIME_DIR="$TMP/run" HTTP_PORT=$port valgrind --tool="$tool" "$@" --trace-children=yes \
        "$binary" start >"$TMP/run/stdout" 2>&1 &
    local launcher=$! ok=""
    for _ in $(seq 300); do   # up to 30 s: valgrind starts slowly
        if curl -sf -m 5 "http://127.0.0.1:$port/" >/dev/null; then ok=1 && break; fi
        sleep 0.1
    done
    [[ -n $ok ]] || { echo "http-hello did not answer under valgrind:" >&2; cat "$TMP/run/stdout" >&2; exit 1; }
    MASTER=$(cat "$TMP"/run/*.pid)
    wrk -t1 -c4 -d2s "http://127.0.0.1:$port/" >/dev/null
    curl -sf -m 5 -H 'Connection: close' "http://127.0.0.1:$port/" >/dev/null
    sleep 1   # idle
    kill -INT "$MASTER"
    wait "$launcher" || true
}

echo "== functions (callgrind)" >&2
run_traced callgrind --demangle=no --callgrind-out-file="$TMP/run/callgrind/%p"
worker=$(ls "$TMP/run/callgrind" | grep -vx "$MASTER")
python3 "$DEPLOY/order-symbols.py" code "$TMP/run/callgrind/$worker" "$TMP/run/callgrind/$MASTER" >"$TMP/code"
echo "== data (lackey)" >&2
run_traced lackey --trace-mem=yes --log-file="$TMP/run/lackey/%p"
worker=$(ls "$TMP/run/lackey" | grep -vx "$MASTER")
python3 "$DEPLOY/order-symbols.py" data "$binary" "$TMP/run/lackey/$worker" "$TMP/run/lackey/$MASTER" >"$TMP/data"
MASTER=""

{
    echo "# Symbol order for Deploy/small-build.sh, written by Deploy/make-order-file.sh; do not edit."
    echo "# $(swift --version 2>/dev/null | head -1)"
    echo "# $(wc -l <"$TMP/code") functions, then $(wc -l <"$TMP/data") data symbols."
    cat "$TMP/code" "$TMP/data"
} >"$DEPLOY/workerman.order"
echo "wrote $DEPLOY/workerman.order: $(wc -l <"$TMP/code") functions, $(wc -l <"$TMP/data") data symbols" >&2
