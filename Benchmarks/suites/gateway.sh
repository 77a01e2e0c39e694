# shellcheck shell=bash
# Suite "gateway", sourced by Benchmarks/run.sh (which provides start_server, stop_server,
# server_pids, free_port, median, ratio, log, TMP, ROOT, ROUNDS, SERVER_CPU, ...).
#
# GatewayWorker's model with the gateway-probe test fixture (Tests/Fixtures/GatewayProbe): a
# register, a websocket gateway of 2 processes and 4 business workers (one process tree), loaded by
# a second tree, ROLE=bench-clients (BenchClients.swift), holding GW_CLIENTS (10000) websocket
# clients in 100 groups. Each round prints:
#   sendToAll    deliveries/s: GW_SEND_ROUNDS messages a business worker sends to every client
#   sendToGroup  deliveries/s: GW_SEND_ROUNDS messages to each of the 100 groups
#   roundtrip    p50/p99: GW_ECHOES messages one at a time, client -> gateway -> business worker ->
#                gateway -> client
# then the medians. With GATEWAYWORKER_DIR and WORKERMAN_DIR (checkouts of GatewayWorker 4 and
# Workerman 5; WORKERMAN_COROUTINE_DIR for Workerman 5.2's workerman/coroutine; php-cli from apt), the
# same topology on PHP (Benchmarks/gatewayworker/start.php) and
# ours are also measured at GW_PHP_CLIENTS (1000: PHP without an event extension is capped at 1,024
# descriptors a process) and the ratios printed; without them that part is skipped with a message.
#
# Environment (besides run.sh's ROUNDS, MAIN_SCRATCH):
#   OURS_ROOT=$ROOT  GW_CLIENTS=10000  GW_PHP_CLIENTS=1000  GW_SEND_ROUNDS=20  GW_ECHOES=2000
#   GW_TIMEOUT=120 (seconds a run may take)  GW_CPUS (taskset CPU list; default every CPU)

# gw_run NAME SERVER_CMD CLIENTS: starts the server tree, then the client tree against it, waits for
# "bench done" (at most GW_TIMEOUT s), stops both; the client output is left in $TMP/NAME.clients.log.
gw_run() {
    local name=$1 server_cmd=$2 clients=$3 port register start dir cpid deadline ok=1
    port=$(free_port) register=$(free_port) start=$(free_port)
    dir="$TMP/runtime.$name"
    mkdir -p "$dir"
    start_server "$name" "env WORKERMAN_RUNTIME_DIR=$dir PHP_RUNTIME=$dir GATEWAY_SCHEME=websocket TEXT_PORT=$port \
REGISTER_PORT=$register START_PORT=$start GATEWAY_COUNT=2 BUSINESS_COUNT=4 $server_cmd" "$port" || return 1
    sleep 1   # the business workers connect to both gateways
    mkdir -p "$dir.clients"
    setsid env WORKERMAN_RUNTIME_DIR="$dir.clients" ROLE=bench-clients CLIENTS="$clients" ROUNDS="$GW_SEND_ROUNDS" \
        ECHOES="$GW_ECHOES" BENCH_TARGET="127.0.0.1:$port" "$GW_BIN" start >"$TMP/$name.clients.log" 2>&1 &
    cpid=$!
    deadline=$((SECONDS + GW_TIMEOUT))
    until grep -q '^bench done' "$TMP/$name.clients.log"; do
        if ((SECONDS >= deadline)) || ! kill -0 "$cpid" 2>/dev/null; then
            log "!! $name: no result after ${GW_TIMEOUT}s (or the clients died); clients log:"
            tail -n 20 "$TMP/$name.clients.log" >&2 || true
            ok=0
            break
        fi
        sleep 0.2
    done
    local pids
    pids=$({ ps -s "$cpid" -o pid= || true; })
    [[ -z $pids ]] || kill -KILL $pids 2>/dev/null || true
    wait "$cpid" 2>/dev/null || true
    stop_server
    ((ok))
}

gw_field() { sed -n "s/^bench $1 \([0-9]*\) deliveries.*/\1/p" "$2"; }
gw_latency() { sed -n "s/^bench roundtrip p50 \([0-9.]*\) us p99 \([0-9.]*\) us/\\$1/p" "$2"; }

# gw_measure LABEL SERVER_CMD CLIENTS: ROUNDS runs; prints each and appends the medians to the
# summary lines in $TMP/summary.
gw_measure() {
    local label=$1 cmd=$2 clients=$3 round lg failed=0
    local -a all=() group=() p50=() p99=()
    for round in $(seq "$ROUNDS"); do
        lg="$TMP/$label.$round.clients.log"
        if gw_run "$label.$round" "$cmd" "$clients"; then
            all+=("$(gw_field sendToAll "$lg")") group+=("$(gw_field sendToGroup "$lg")")
            p50+=("$(gw_latency 1 "$lg")") p99+=("$(gw_latency 2 "$lg")")
            printf 'round %d  %-14s %6d clients  sendToAll %9s/s  sendToGroup %9s/s  roundtrip p50 %8s us  p99 %8s us\n' \
                "$round" "$label" "$clients" "${all[-1]}" "${group[-1]}" "${p50[-1]}" "${p99[-1]}"
        else
            failed=1; printf 'round %d  %-14s FAILED\n' "$round" "$label"
        fi
    done
    # shellcheck disable=SC2068
    printf '%s %s %s %s %s\n' "$label" "$(median ${all[@]:-0})" "$(median ${group[@]:-0})" \
        "$(median ${p50[@]:-0})" "$(median ${p99[@]:-0})" >>"$TMP/summary"
    return "$failed"
}

suite_gateway() {
    OURS_ROOT=${OURS_ROOT:-$ROOT} GW_CLIENTS=${GW_CLIENTS:-10000} GW_PHP_CLIENTS=${GW_PHP_CLIENTS:-1000}
    GW_SEND_ROUNDS=${GW_SEND_ROUNDS:-20} GW_ECHOES=${GW_ECHOES:-2000} GW_TIMEOUT=${GW_TIMEOUT:-120}
    local scratch=(${MAIN_SCRATCH:+--scratch-path "$MAIN_SCRATCH"}) failed=0
    log "== building gateway-probe (release) =="
    swift build -c release --package-path "$OURS_ROOT" "${scratch[@]}" --product gateway-probe >&2
    GW_BIN="$(swift build -c release --package-path "$OURS_ROOT" "${scratch[@]}" --show-bin-path)/gateway-probe"
    log "ours: $GW_BIN"
    local saved_cpu=$SERVER_CPU
    SERVER_CPU=${GW_CPUS:-0-$(($(nproc) - 1))}
    : >"$TMP/summary"
    echo "== gateway: 2 gateway processes, 4 business workers; $GW_SEND_ROUNDS sends to all / to 100 groups," \
        "$GW_ECHOES round trips; $ROUNDS rounds on cpus $SERVER_CPU =="
    gw_measure ours "$GW_BIN start" "$GW_CLIENTS" || failed=1
    local php_ready=0
    if [[ -n ${GATEWAYWORKER_DIR:-} && -n ${WORKERMAN_DIR:-} ]] && command -v php >/dev/null; then
        php_ready=1
        gw_measure ours-small "$GW_BIN start" "$GW_PHP_CLIENTS" || failed=1
        gw_measure gatewayworker "php $BENCH/gatewayworker/start.php start" "$GW_PHP_CLIENTS" || failed=1
    else
        echo "gatewayworker anchor skipped: set GATEWAYWORKER_DIR and WORKERMAN_DIR to checkouts of GatewayWorker 4" \
            "and Workerman 5 (and install php-cli) to measure it"
    fi
    SERVER_CPU=$saved_cpu
    echo
    echo "== medians of $ROUNDS =="
    printf '%-14s %14s %14s %12s %12s\n' "" "sendToAll/s" "sendToGroup/s" "rtt p50 us" "rtt p99 us"
    while read -r label a g l50 l99; do
        printf '%-14s %14s %14s %12s %12s\n' "$label" "$a" "$g" "$l50" "$l99"
    done <"$TMP/summary"
    if ((php_ready)); then
        local ours php
        ours=$(awk '$1 == "ours-small"' "$TMP/summary") php=$(awk '$1 == "gatewayworker"' "$TMP/summary")
        # shellcheck disable=SC2086
        set -- $ours $php
        echo "ratio sendToAll ours/gatewayworker   = $(ratio "$2" "$7")   <- > 1: we deliver more per second"
        echo "ratio sendToGroup ours/gatewayworker = $(ratio "$3" "$8")"
        echo "ratio rtt p50 gatewayworker/ours     = $(ratio "$9" "$4")   <- > 1: our round trip is shorter"
    fi
    return "$failed"
}
