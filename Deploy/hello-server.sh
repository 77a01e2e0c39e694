# shellcheck shell=bash
# Starts, waits for and stops one http-hello server; sourced by Deploy/make-order-file.sh and
# .ci/checks/small-build.sh. Sets an EXIT trap that kills the server (master and workers) by pid.

HELLO_DIR=$(mktemp -d)   # the server's runtime directory (pid file) and its output
HELLO_PID=""             # the master's pid (under valgrind too: valgrind runs in the process it starts)

# start_hello PORT COMMAND...: runs `COMMAND start` (COMMAND ends with an http-hello binary) on PORT
# and waits up to 30 s (valgrind starts slowly) for GET / to answer "Hello, World!".
start_hello() {
    local port=$1
    shift
    WORKERMAN_RUNTIME_DIR="$HELLO_DIR" HTTP_PORT="$port" "$@" start >"$HELLO_DIR/stdout" 2>&1 &
    HELLO_PID=$!
    for _ in $(seq 300); do
        [[ $(curl -sf -m 5 "http://127.0.0.1:$port/" || true) != "Hello, World!" ]] || return 0
        sleep 0.1
    done
    echo "http-hello did not answer on port $port:" >&2
    cat "$HELLO_DIR/stdout" >&2
    return 1
}

# stop_hello: the graceful stop (SIGINT to the master), waited for.
stop_hello() {
    [[ -n $HELLO_PID ]] || return 0
    kill -INT "$HELLO_PID" 2>/dev/null || true
    wait "$HELLO_PID" || true
    HELLO_PID=""
}

kill_hello() {
    [[ -z $HELLO_PID ]] || kill -KILL "$HELLO_PID" $(pgrep -P "$HELLO_PID" || true) 2>/dev/null || true
    rm -rf "$HELLO_DIR"
}
trap kill_hello EXIT

# free_port: a port nobody listens on, from the kernel.
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
