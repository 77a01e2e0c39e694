#!/usr/bin/env bash
# Benchmark swift-workerman against SwiftNIO (and a minimal C epoll server).
#
#   bash Benchmarks/run.sh [SUITE]        SUITE: echo (default), timers, http, https, ws, channel, memory, gateway, redis,
#                                         table (issue 14's table: instructions per request by callgrind,
#                                         idle bytes per connection, throughput; suites/table.sh)
#
# Environment overrides:
#   OURS_CMD       how to start our server (PORT is set in its environment);
#                  default: the main package's `text-echo start`, built in release
#   MAIN_SCRATCH   --scratch-path for that build (default: the main package's .build)
#   ROUNDS=3  CONNS=100  INFLIGHT=16  DURATION=5  (seconds measured per run)
#   SERVER_CPU=1  LOADGEN_CPU=0                   (taskset pinning)
#   PERF_DURATION=2                               (seconds of load for perf stat)
set -euo pipefail

SUITE=${1:-echo}
BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$BENCH")
ROUNDS=${ROUNDS:-3} CONNS=${CONNS:-100} INFLIGHT=${INFLIGHT:-16} DURATION=${DURATION:-5}
SERVER_CPU=${SERVER_CPU:-1} LOADGEN_CPU=${LOADGEN_CPU:-0} PERF_DURATION=${PERF_DURATION:-2}
(( ROUNDS >= 1 )) || { echo "ROUNDS must be >= 1" >&2; exit 2; }

TMP=$(mktemp -d)
SERVER_SID=""   # session id (= pid of the session leader) of the running server
LAUNCH_PID=""   # our child that launched it, reaped after stopping
PERF_PID=""

log() { printf '%s\n' "$*" >&2; }

# Live (non-zombie) processes of the server's session.
server_pids() { { ps -s "$SERVER_SID" -o pid=,stat= || true; } | awk '$2 !~ /^Z/ {print $1}'; }

# Kill every process of the server's session, then reap it (bounded).
stop_server() {
    [[ -n $SERVER_SID ]] || return 0
    local pids
    pids=$(server_pids)
    [[ -z $pids ]] || kill -TERM $pids 2>/dev/null || true
    for _ in $(seq 50); do   # up to 5 s, then SIGKILL
        [[ -n $(server_pids) ]] || break
        sleep 0.1
    done
    pids=$(server_pids)
    [[ -z $pids ]] || kill -KILL $pids 2>/dev/null || true
    wait "$LAUNCH_PID" 2>/dev/null || true
    SERVER_SID="" LAUNCH_PID=""
}

cleanup() {
    [[ -z $PERF_PID ]] || kill -INT "$PERF_PID" 2>/dev/null || true
    stop_server
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A random port below the kernel's ephemeral range (so no client socket of an
# earlier run can still hold it) that nobody is listening on.
free_port() {
    local low p
    read -r low _ </proc/sys/net/ipv4/ip_local_port_range
    (( low > 12000 )) || low=32768
    while :; do
        p=$((10000 + RANDOM % (low - 10000)))
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return; fi
    done
}

# start_server NAME CMD PORT: start pinned, in its own session (so everything it
# forks can be found and killed), and wait until the port accepts connections.
start_server() {
    local name=$1 cmd=$2 port=$3 pidfile="$TMP/$1.pid" jport
    rm -f "$pidfile"
    # text-echo also serves a JsonNL worker on JSONNL_PORT; keep it off fixed ports.
    jport=$(free_port)
    [[ $jport != "$port" ]] || jport=$(free_port)
    PORT=$port JSONNL_PORT=$jport setsid bash -c "echo \$\$ >'$pidfile'; exec taskset -c $SERVER_CPU $cmd" \
        >"$TMP/$name.log" 2>&1 &
    LAUNCH_PID=$!
    for _ in $(seq $((${START_TIMEOUT:-10} * 10))); do   # up to START_TIMEOUT (10) s
        [[ -n $SERVER_SID ]] || SERVER_SID=$(cat "$pidfile" 2>/dev/null || true)
        if [[ -n $SERVER_SID ]] && (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return 0; fi
        [[ -n $SERVER_SID && -z $(server_pids) ]] && break   # it died
        sleep 0.1
    done
    log "!! $name did not start listening on $port; log:"
    tail -n 20 "$TMP/$name.log" >&2 || true
    stop_server
    return 1
}

# Prints "<rss> <procs> <total>": VmRSS in KiB of the server process that used the
# most CPU (for a master/worker server: the worker that served the load), the number
# of processes, and their summed VmRSS (which counts shared library pages repeatedly).
server_rss_kib() {
    local pid kb ticks max=-1 rss=0 n=0 total=0
    for pid in $(server_pids); do
        kb=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null) || continue
        # utime + stime; strip "pid (comm) " first, as comm may contain spaces
        ticks=$(awk '{sub(/.*\) /, ""); print $12 + $13}' "/proc/$pid/stat" 2>/dev/null) || continue
        n=$((n + 1)) total=$((total + ${kb:-0}))
        if ((ticks > max)); then max=$ticks rss=${kb:-0}; fi
    done
    echo "$rss $n $total"
}

# loadgen PORT SECONDS -> prints the loadgen's result line; non-zero on failure.
loadgen() {
    taskset -c "$LOADGEN_CPU" "$BENCH/loadgen/loadgen" 127.0.0.1 "$1" "$CONNS" "$INFLIGHT" "$2"
}

field() { sed -n "s/.*$1=\([0-9.]*\).*/\1/p" <<<"$2"; }          # field NAME LINE
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a > 0 && b > 0) printf "%.2f", a / b; else print "n/a" }'; }

build_common() {
    log "== building (release) =="
    swift build -c release --package-path "$BENCH" --product nio-line-echo >&2
    NIO_BIN="$(swift build -c release --package-path "$BENCH" --show-bin-path)/nio-line-echo"
    gcc -O2 -Wall -o "$BENCH/loadgen/loadgen" "$BENCH/loadgen/loadgen.c"
    gcc -O2 -Wall -o "$BENCH/loadgen/c_echo" "$BENCH/loadgen/c_echo.c"
    if [[ -z ${OURS_CMD:-} ]]; then
        local scratch=(${MAIN_SCRATCH:+--scratch-path "$MAIN_SCRATCH"})
        swift build -c release --package-path "$ROOT" "${scratch[@]}" --product text-echo >&2
        OURS_CMD="$(swift build -c release --package-path "$ROOT" "${scratch[@]}" --show-bin-path)/text-echo start"
    fi
    log "ours: $OURS_CMD"
}

# Instructions the server executes per round trip over a fixed load
# (PERF_DURATION s after the 1 s warmup, connection setup included).
# Sets PERF_U and PERF_K (user, kernel; empty if not measured). Runs in the main
# shell, not a subshell, so that the EXIT trap knows the server and perf to kill.
perf_instr_per_rt() {
    local name=$1 cmd=$2 port out total
    PERF_U="" PERF_K=""
    port=$(free_port)
    start_server "$name" "$cmd" "$port" || return 0
    perf stat -e "$PERF_EVENTS" -x, -o "$TMP/perf.$name" -p "$(server_pids | paste -sd,)" &
    PERF_PID=$!
    sleep 0.3   # let perf attach before the load starts
    out=$(loadgen "$port" "$PERF_DURATION") || out=""
    kill -INT "$PERF_PID" 2>/dev/null || true
    wait "$PERF_PID" || true
    PERF_PID=""
    stop_server
    total=$(field total_roundtrips "$out")
    [[ ${total:-0} -gt 0 ]] || return 0
    # perf -x, lines: value,unit,event,...
    PERF_U=$(awk -F, -v t="$total" '$3 ~ /^instructions:u/ && $1 ~ /^[0-9]+$/ { printf "%.0f", $1 / t }' "$TMP/perf.$name")
    PERF_K=$(awk -F, -v t="$total" '$3 ~ /^instructions:k/ && $1 ~ /^[0-9]+$/ { printf "%.0f", $1 / t }' "$TMP/perf.$name")
}

suite_echo() {
    build_common
    local names=(ours swiftnio c)
    declare -A cmds=([ours]="$OURS_CMD" [swiftnio]="$NIO_BIN" [c]="$BENCH/loadgen/c_echo")
    declare -A rates=() rss=()
    local failed=0 round k name port out rate errs kib nprocs kib_all procs it

    log "== echo: $CONNS connections x $INFLIGHT lines in flight, ${DURATION}s per run (+1s warmup), $ROUNDS rounds =="
    log "   server on cpu $SERVER_CPU, loadgen on cpu $LOADGEN_CPU"
    for round in $(seq "$ROUNDS"); do
        for k in 0 1 2; do   # rotate the order every round
            name=${names[$(((k + round - 1) % 3))]}
            port=$(free_port)
            if ! start_server "$name" "${cmds[$name]}" "$port"; then
                printf 'round %d  %-9s FAILED to start\n' "$round" "$name"
                failed=1; rates[$name]+=" 0"; rss[$name]+=" 0"; continue
            fi
            if out=$(loadgen "$port" "$DURATION"); then :; else
                log "!! loadgen failed against $name (exit $?): $out"; failed=1
            fi
            read -r kib nprocs kib_all < <(server_rss_kib)
            stop_server
            rate=$(field roundtrips_per_sec "$out"); errs=$(field errors "$out")
            rates[$name]+=" ${rate:-0}"; rss[$name]+=" $kib"
            procs=""
            ((nprocs <= 1)) || procs=$(awk -v n="$nprocs" -v k="$kib_all" 'BEGIN{printf "  (%d processes: %.1f MiB)", n, k/1024}')
            printf 'round %d  %-9s %10.0f roundtrips/s  errors=%-3s  rss=%6.1f MiB%s\n' \
                "$round" "$name" "${rate:-0}" "${errs:-?}" "$(awk -v k="$kib" 'BEGIN{print k/1024}')" "$procs"
        done
    done

    echo
    echo "== medians of $ROUNDS =="
    declare -A med=()
    for name in "${names[@]}"; do
        # shellcheck disable=SC2086  # word splitting of the lists is intended
        med[$name]=$(median ${rates[$name]})
        printf '%-9s %10.0f roundtrips/s  rss=%6.1f MiB\n' "$name" "${med[$name]}" \
            "$(awk -v k="$(median ${rss[$name]})" 'BEGIN{print k/1024}')"
    done
    echo "ratio ours/swiftnio = $(ratio "${med[ours]}" "${med[swiftnio]}")"
    echo "ratio ours/c        = $(ratio "${med[ours]}" "${med[c]}")"

    echo
    if perf stat -e instructions:u true >/dev/null 2>&1; then
        PERF_EVENTS=instructions:u
        perf stat -e instructions:k true >/dev/null 2>&1 && PERF_EVENTS+=,instructions:k
        echo "== server instructions per round trip (perf stat -e $PERF_EVENTS, ${PERF_DURATION}s load) =="
        printf '%-9s %10s %10s %10s\n' "" user kernel total
        declare -A tot=()
        for name in "${names[@]}"; do
            perf_instr_per_rt "$name" "${cmds[$name]}"
            tot[$name]=$((${PERF_U:-0} + ${PERF_K:-0}))
            it=${PERF_U:+${tot[$name]}}
            printf '%-9s %10s %10s %10s\n' "$name" "${PERF_U:-n/a}" "${PERF_K:-n/a}" "${it:-n/a}"
        done
        echo "instructions ours/swiftnio = $(ratio "${tot[ours]}" "${tot[swiftnio]}")"
        echo "instructions ours/c        = $(ratio "${tot[ours]}" "${tot[c]}")"
    else
        echo "== instructions per round trip: skipped (perf stat -e instructions:u unavailable) =="
    fi
    return "$failed"
}

# Timers: loop rounds per second with 1 and with 100k live timers (the ratio should stay near 1),
# Timer.add / Timer.del cost, and firing 100k one-shot timers. Three runs, pinned to SERVER_CPU.
suite_timers() {
    log "building timer-bench (release) ..."
    swift build -c release --package-path "$ROOT" ${MAIN_SCRATCH:+--scratch-path "$MAIN_SCRATCH"} \
        --product timer-bench >&2
    local bin
    bin="$(swift build -c release --package-path "$ROOT" ${MAIN_SCRATCH:+--scratch-path "$MAIN_SCRATCH"} --show-bin-path)/timer-bench"
    for round in $(seq "$ROUNDS"); do
        echo "== timers, run $round =="
        taskset -c "$SERVER_CPU" "$bin"
    done
}

case $SUITE in
    echo) suite_echo ;;
    timers) suite_timers ;;
    # Suites kept in files of their own: Benchmarks/suites/<name>.sh, sourced here so that they
    # can use the helpers above (start_server, stop_server, free_port, median, ratio, ...).
    http | ws | https | channel | memory | gateway | redis | table)
        [[ -f "$BENCH/suites/$SUITE.sh" ]] || { log "suite '$SUITE' is not implemented yet"; exit 2; }
        # shellcheck source=/dev/null
        source "$BENCH/suites/$SUITE.sh"
        "suite_$SUITE" ;;
    *) log "usage: $0 [echo|timers|http|https|ws|channel|memory|gateway|redis|table]"; exit 2 ;;
esac
