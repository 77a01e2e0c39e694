# shellcheck shell=bash
# Sourced by the browser checks (.ci/checks/*-browser.sh), from the repository's root, after
# `set -euo pipefail` and with CHECK set to the check's name. Gives them a work directory ($WORK),
# the example's build, free ports, a started server and a headless chromium, and on exit stops every
# process started here (by pid: SIGINT, then SIGKILL after 5 s), and those whose pids the check's
# Python wrote to $WORK/started-pids (one a line), and removes $WORK.
#   SWIFT_SCRATCH_PATH=DIR  the build directory (default .build); $SCRATCH is its absolute path
# The DevTools side of a check is Python (lib/devtools.py), run with `run_devtools SECONDS ARGS...`.

: "${CHECK:?set CHECK to the name of the check before sourcing browser-common.sh}"
command -v chromium >/dev/null || bash .ci/deps/browser.sh
SCRATCH="${SWIFT_SCRATCH_PATH:-.build}"
[[ "$SCRATCH" == /* ]] || SCRATCH="$PWD/$SCRATCH"
CHECKS_LIB="$PWD/.ci/checks/lib"
WORK="$(mktemp -d)"
STARTED_PIDS=()
DEVTOOLS=""

say() { echo "$CHECK: $*"; }

stop_pid() {  # SIGINT (a server's stop; the browser's quit), then SIGKILL after 5 s
    local pid="$1"
    [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 0
    kill -INT "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
}

stop_started() {  # the last started first: the browser before the server
    local index pid
    for ((index = ${#STARTED_PIDS[@]} - 1; index >= 0; index--)); do stop_pid "${STARTED_PIDS[index]}"; done
    if [ -f "$WORK/started-pids" ]; then
        while read -r pid; do stop_pid "$pid"; done <"$WORK/started-pids"
    fi
    rm -rf "$WORK"
}
trap stop_started EXIT

# A TCP port free on 127.0.0.1 now (the kernel's pick for port 0).
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# The first of COUNT consecutive TCP ports free on 0.0.0.0 now (for a server that listens on PORT+i).
# Probed with SO_REUSEADDR, as the server binds: a port that only TIME_WAIT sockets use is free to it
# (without it, a machine full of TIME_WAIT after a benchmark may have no run of free ports at all).
free_ports() {
    python3 - "$1" <<'PY'
import socket, sys
count = int(sys.argv[1])
for _ in range(200):
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    first = probe.getsockname()[1]
    probe.close()
    held = []
    try:
        for port in range(first, first + count):
            s = socket.socket()
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(("0.0.0.0", port))
            held.append(s)
    except OSError:
        continue
    finally:
        for s in held:
            s.close()
    print(first)
    sys.exit(0)
sys.exit("no run of free ports found")
PY
}

# Builds the example PRODUCT and prints the path of its executable.
build_example() {
    local product="$1"
    swift build --scratch-path "$SCRATCH" --product "$product" >/dev/null 2>&1 ||
        swift build --scratch-path "$SCRATCH" --product "$product" >&2 || return 1
    echo "$(swift build --scratch-path "$SCRATCH" --show-bin-path 2>/dev/null)/$product"
}

# start_server LOG COMMAND...: runs the command in the background (output to LOG), sets SERVER_PID.
start_server() {
    local log="$1"
    shift
    "$@" >"$log" 2>&1 &
    SERVER_PID=$!
    STARTED_PIDS+=("$SERVER_PID")
}

# log_port LOG SCHEME: waits up to 10 s for "SCHEME://0.0.0.0:PORT" in LOG and prints PORT.
log_port() {
    local port=""
    for _ in $(seq 100); do
        port="$(grep -o "$2://0.0.0.0:[0-9]*" "$1" | head -1 | cut -d: -f3 || true)"
        [ -n "$port" ] && [ "$port" != 0 ] && { echo "$port"; return 0; }
        sleep 0.1
    done
    return 1
}

# wait_port PORT: waits up to 10 s until 127.0.0.1:PORT accepts a connection.
wait_port() {
    for _ in $(seq 100); do
        python3 -c "import socket; socket.create_connection(('127.0.0.1', $1), 0.2)" 2>/dev/null && return 0
        sleep 0.1
    done
    return 1
}

# Starts headless chromium on a DevTools port it picks, sets DEVTOOLS (its websocket address).
start_browser() {
    chromium --headless=new --no-sandbox --disable-gpu --no-first-run --no-default-browser-check \
        --user-data-dir="$WORK/profile" --remote-debugging-address=127.0.0.1 --remote-debugging-port=0 \
        --window-size=1120,700 about:blank >"$WORK/browser.log" 2>&1 &
    STARTED_PIDS+=("$!")
    for _ in $(seq 150); do
        DEVTOOLS="$(grep -o 'ws://127.0.0.1:[0-9]*/' "$WORK/browser.log" | head -1 || true)"
        [ -n "$DEVTOOLS" ] && break
        sleep 0.1
    done
    [ -n "$DEVTOOLS" ] || { say "chromium did not start"; cat "$WORK/browser.log"; exit 1; }
    say "$(chromium --version 2>/dev/null), DevTools at $DEVTOOLS"
}

# run_devtools SECONDS ARGS...: the check's Python (on standard input) as `python3 - DEVTOOLS ARGS...`,
# ended after SECONDS; it imports devtools from lib/.
run_devtools() {
    local seconds="$1"
    shift
    local status=0
    PYTHONPATH="$CHECKS_LIB${PYTHONPATH:+:$PYTHONPATH}" timeout "$seconds" python3 - "$DEVTOOLS" "$@" || status=$?
    [ "$status" != 124 ] || say "timed out after $seconds s"
    return "$status"
}
