# shellcheck shell=bash
# Suite "http", sourced by Benchmarks/run.sh (which provides start_server, stop_server,
# server_pids, server_rss_kib, free_port, median, ratio, log, TMP, BENCH, ROOT, ROUNDS, ...).
#
# Our `http-hello` server (Benchmarks/HttpHello: GET / says "Hello, World!") against `nio-http`
# (Sources/NIOHttp: SwiftNIO NIOHTTP1, same body), both loaded with wrk:
#   keep-alive with 100 and with 1000 connections, and 16-deep pipelining with 100 connections.
#
# Environment (besides run.sh's ROUNDS, SERVER_CPU, LOADGEN_CPU, PERF_DURATION, MAIN_SCRATCH):
#   OURS_ROOT=$ROOT      package path of the main package whose http-hello is measured
#   NIO_ROOT=$BENCH      package path that builds the nio-http product
#   OURS_HTTP_CMD        how to start ours instead (a literal $PORT in it is the port)
#   HTTP_DURATION=5      seconds per wrk run (after a 1 s warmup per server start)
#   PIPELINE_DEPTH=16    requests per pipelined batch (Benchmarks/suites/http-pipeline.lua)
#   HTTP_MULTI=1         also run the 2-process (ours) vs 2-thread (NIO) variant, unpinned; 0: skip

# wrk_load PORT CONNS SECONDS [lua-script] [threads]: wrk's --latency report, pinned to LOADGEN_CPU.
wrk_load() {
    local script=()
    [[ -z ${4:-} ]] || script=(-s "$4")
    PIPELINE_DEPTH=$PIPELINE_DEPTH taskset -c "$LOADGEN_CPU" \
        wrk -t"${5:-1}" -c"$2" -d"$3"s --latency "${script[@]}" "http://127.0.0.1:$1/" 2>&1
}

# Fields of a wrk report.
wrk_rps() { awk '/^Requests\/sec:/ {print $2}' <<<"$1"; }
wrk_total() { awk '/ requests in / {print $1}' <<<"$1"; }
# wrk_ms FIELD PATTERN REPORT: the FIELD-th column of the report line whose first column is PATTERN,
# in milliseconds ("1.23ms", "456.00us", "1.02s").
wrk_ms() {
    awk -v f="$1" -v k="$2" '$1 == k {
        v = $f; u = v; sub(/^[0-9.]+/, "", u); sub(/[a-z]+$/, "", v)
        m = (u == "us") ? 0.001 : (u == "ms") ? 1 : (u == "s") ? 1000 : (u == "m") ? 60000 : 1
        printf "%.3f", v * m; exit }' <<<"$3"
}
wrk_p99_ms() { wrk_ms 2 "99%" "$1"; }
# The largest latency seen. Under pipelining wrk 4.1's percentiles are wrong: it "corrects" for
# coordinated omission with an interval computed as if every request() were one request (16 times
# too short here), adding synthetic samples that can even make it print "99% 0.00us".
wrk_max_ms() { wrk_ms 4 "Latency" "$1"; }
wrk_errors() {   # socket errors + non-2xx/3xx responses
    awk '/Socket errors:/ { gsub(/,/, ""); n += $4 + $6 + $8 + $10 }
         /Non-2xx or 3xx responses:/ { n += $NF }
         END { print n + 0 }' <<<"$1"
}

# The processes that serve requests: the workers of a master/worker server, else the only one.
serving_pids() {
    local pid found=""
    for pid in $(server_pids); do
        [[ $pid == "$SERVER_SID" ]] || found+=" $pid"
    done
    echo "${found:-$SERVER_SID}"
}
# status_kib PID FIELD: a /proc/PID/status field in KiB.
status_kib() { awk -v f="$2:" '$1 == f {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }
vmrss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }
mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }

build_http() {
    if ! command -v wrk >/dev/null; then
        log "== installing wrk =="
        apt-get install -y wrk >&2 || { apt-get update >&2 && apt-get install -y wrk >&2; }
    fi
    log "== building (release) =="
    swift build -c release --package-path "$NIO_ROOT" --product nio-http >&2
    NIO_HTTP_BIN="$(swift build -c release --package-path "$NIO_ROOT" --show-bin-path)/nio-http"
    if [[ -z ${OURS_HTTP_CMD:-} ]]; then
        local scratch=(${MAIN_SCRATCH:+--scratch-path "$MAIN_SCRATCH"})
        swift build -c release --package-path "$OURS_ROOT" "${scratch[@]}" --product http-hello >&2
        # shellcheck disable=SC2016  # $PORT is expanded by the shell start_server launches
        OURS_HTTP_CMD='env HTTP_PORT=$PORT HTTP_PROCESSES=1 '"$(swift build -c release --package-path "$OURS_ROOT" \
            "${scratch[@]}" --show-bin-path)/http-hello start"
    fi
    log "ours:     $OURS_HTTP_CMD"
    log "swiftnio: $NIO_HTTP_BIN"
}

# Prints one response of the server (a sanity check that both answer the same body).
show_response() {
    (
        exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 0
        printf 'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' >&3
        timeout 2 head -c 400 <&3 | tr -d '\r' | sed 's/^/    | /' >&2
        echo >&2
    ) || true
}

# record_wrk_run ROUND NAME TEST OUTPUT: adds one wrk run to the suite's rps/lats lists (arrays of
# the calling suite, with latkind and tests) and prints its line.
record_wrk_run() {
    local round=$1 name=$2 t=$3 out=$4 r p e
    r=$(wrk_rps "$out") p=$(wrk_${latkind[$t]}_ms "$out") e=$(wrk_errors "$out")
    rps[$name.$t]+=" ${r:-0}" lats[$name.$t]+=" ${p:-0}"
    ((${e:-0} == 0)) || log "   ($name $t: wrk reports $e socket errors / non-2xx responses)"
    printf 'round %d  %-9s %-15s %10.0f req/s  %s %8.2f ms  errors=%s\n' \
        "$round" "$name" "$t" "${r:-0}" "${latkind[$t]}" "${p:-0}" "${e:-?}"
}

# print_wrk_medians: the medians table of the calling suite's rps/lats lists, ours against NIO.
print_wrk_medians() {
    echo
    echo "== medians of $ROUNDS =="
    printf '%-15s %12s %12s %9s   %-4s %10s %10s %9s\n' test "ours req/s" "nio req/s" ours/nio \
        "" "ours" "nio" ours/nio
    local a b pa pb
    for t in "${tests[@]}"; do
        # shellcheck disable=SC2086  # word splitting of the lists is intended
        a=$(median ${rps[ours.$t]:-0}) b=$(median ${rps[swiftnio.$t]:-0})
        # shellcheck disable=SC2086
        pa=$(median ${lats[ours.$t]:-0}) pb=$(median ${lats[swiftnio.$t]:-0})
        printf '%-15s %12.0f %12.0f %9s   %-4s %8.2fms %8.2fms %9s\n' "$t" "$a" "$b" "$(ratio "$a" "$b")" \
            "${latkind[$t]}" "$pa" "$pb" "$(ratio "$pa" "$pb")"
    done
    echo "(req/s ratio > 1: we serve more; latency ratio < 1: our tail latency is lower."
    echo " Pipelined: wrk's percentiles are wrong under pipelining, so the maximum latency is shown.)"
}

# User and kernel instructions per request under the pipelined load: PERF_DURATION s of wrk with
# `perf stat` attached to every process of the server, after a 1 s warmup. Sets PERF_U, PERF_K.
# perf_http NAME CMD [LOADER]: LOADER runs wrk (wrk_load by default; https.sh passes wrk_tls).
perf_http() {
    local name=$1 cmd=$2 load=${3:-wrk_load} port out total
    PERF_U="" PERF_K=""
    port=$(free_port)
    start_server "$name" "$cmd" "$port" || return 0
    "$load" "$port" 100 1 "$LUA" >/dev/null || true
    perf stat -e "$PERF_EVENTS" -x, -o "$TMP/perf.$name" -p "$(server_pids | paste -sd,)" &
    PERF_PID=$!
    sleep 0.3   # let perf attach before the load starts
    out=$("$load" "$port" 100 "$PERF_DURATION" "$LUA") || out=""
    kill -INT "$PERF_PID" 2>/dev/null || true
    wait "$PERF_PID" || true
    PERF_PID=""
    stop_server
    total=$(wrk_total "$out")
    [[ ${total:-0} -gt 0 ]] || return 0
    PERF_U=$(awk -F, -v t="$total" '$3 ~ /^instructions:u/ && $1 ~ /^[0-9]+$/ { printf "%.0f", $1 / t }' "$TMP/perf.$name")
    PERF_K=$(awk -F, -v t="$total" '$3 ~ /^instructions:k/ && $1 ~ /^[0-9]+$/ { printf "%.0f", $1 / t }' "$TMP/perf.$name")
}

# print_perf_per_request WHAT LOADER: the table of user and kernel instructions each server of the
# calling suite (its names and cmds) executes per request under 16-deep pipelining (perf_http with
# LOADER), and ours/NIO ratios; WHAT goes into the heading (" over TLS").
print_perf_per_request() {
    if ! perf stat -e instructions:u true >/dev/null 2>&1; then
        echo "== instructions per request: skipped (perf stat -e instructions:u unavailable) =="
        return 0
    fi
    PERF_EVENTS=instructions:u
    perf stat -e instructions:k true >/dev/null 2>&1 && PERF_EVENTS+=,instructions:k
    echo "== server instructions per request$1, ${PIPELINE_DEPTH}-deep pipelining, 100 connections" \
        "(perf stat -e $PERF_EVENTS, ${PERF_DURATION}s) =="
    printf '%-9s %10s %10s %10s\n' "" user kernel total
    local name
    declare -A tot=() usr=()
    for name in "${names[@]}"; do
        perf_http "$name" "${cmds[$name]}" "$2"
        usr[$name]=${PERF_U:-0}
        tot[$name]=$((${PERF_U:-0} + ${PERF_K:-0}))
        printf '%-9s %10s %10s %10s\n' "$name" "${PERF_U:-n/a}" "${PERF_K:-n/a}" "${PERF_U:+${tot[$name]}}"
    done
    echo "user instructions ours/swiftnio  = $(ratio "${usr[ours]}" "${usr[swiftnio]}")"
    echo "total instructions ours/swiftnio = $(ratio "${tot[ours]}" "${tot[swiftnio]}")"
}

suite_http() {
    OURS_ROOT=${OURS_ROOT:-$ROOT} NIO_ROOT=${NIO_ROOT:-$BENCH}
    HTTP_DURATION=${HTTP_DURATION:-5} PIPELINE_DEPTH=${PIPELINE_DEPTH:-16} HTTP_MULTI=${HTTP_MULTI:-1}
    LUA="$BENCH/suites/http-pipeline.lua"
    build_http

    local names=(ours swiftnio) tests=(keepalive-100 keepalive-1000 "pipeline${PIPELINE_DEPTH}-100")
    declare -A cmds=([ours]="$OURS_HTTP_CMD" [swiftnio]="env THREADS=1 $NIO_HTTP_BIN")
    declare -A conns=([keepalive-100]=100 [keepalive-1000]=1000 ["pipeline${PIPELINE_DEPTH}-100"]=100)
    declare -A scripts=(["pipeline${PIPELINE_DEPTH}-100"]="$LUA")
    # The tail latency reported: wrk's p99, except under pipelining (see wrk_max_ms): the maximum.
    declare -A latkind=([keepalive-100]=p99 [keepalive-1000]=p99 ["pipeline${PIPELINE_DEPTH}-100"]=max)
    declare -A rps=() lats=() idle=() rss=() nprocs=()
    local failed=0 round k name port t out r p e pid kib kib_all n idle_kib

    echo "== http: wrk -t1, ${HTTP_DURATION}s per run (+1s warmup per server start), $ROUNDS rounds;" \
        "server on cpu $SERVER_CPU, wrk on cpu $LOADGEN_CPU =="
    for round in $(seq "$ROUNDS"); do
        for k in 0 1; do   # alternate which server goes first
            name=${names[$(((k + round - 1) % 2))]}
            port=$(free_port)
            if ! start_server "$name" "${cmds[$name]}" "$port"; then
                printf 'round %d  %-9s FAILED to start\n' "$round" "$name"
                failed=1; continue
            fi
            ((round > 1)) || show_response "$port"
            sleep 0.5
            idle_kib=0
            for pid in $(serving_pids); do idle_kib=$((idle_kib + $(vmrss_kib "$pid"))); done
            idle[$name]+=" $idle_kib"
            wrk_load "$port" 100 1 >/dev/null || true   # warmup
            for t in "${tests[@]}"; do
                out=$(wrk_load "$port" "${conns[$t]}" "$HTTP_DURATION" "${scripts[$t]:-}") || {
                    log "!! wrk failed against $name ($t): $out"; failed=1; }
                record_wrk_run "$round" "$name" "$t" "$out"
            done
            read -r kib n kib_all < <(server_rss_kib)
            rss[$name]+=" $kib" nprocs[$name]=$n
            stop_server
        done
    done

    print_wrk_medians
    echo
    echo "== memory (VmRSS, medians) =="
    for name in "${names[@]}"; do
        # shellcheck disable=SC2086
        printf '%-9s idle serving process %6s MiB   after load (1000 conns) %6s MiB   (%s process(es))\n' \
            "$name" "$(mib "$(median ${idle[$name]:-0})")" "$(mib "$(median ${rss[$name]:-0})")" "${nprocs[$name]:-?}"
    done

    echo
    print_perf_per_request "" wrk_load

    if [[ $HTTP_MULTI == 1 ]]; then
        echo
        # Two workers on two cores, sharing them with wrk (-t2): a scaling check, not a per-core figure.
        local multi_cmd saved_server=$SERVER_CPU saved_load=$LOADGEN_CPU
        multi_cmd=${cmds[ours]/HTTP_PROCESSES=1/HTTP_PROCESSES=2}
        declare -A mcmds=([ours]="$multi_cmd" [swiftnio]="env THREADS=2 $NIO_HTTP_BIN") mrps=()
        SERVER_CPU=0-$(($(nproc) - 1)) LOADGEN_CPU=0-$(($(nproc) - 1))
        echo "== 2 processes (ours) vs 2 threads (NIO): wrk -t2 -c100, ${PIPELINE_DEPTH}-deep pipelining," \
            "${HTTP_DURATION}s, nothing pinned =="
        for round in $(seq "$ROUNDS"); do
            for k in 0 1; do
                name=${names[$(((k + round - 1) % 2))]}
                port=$(free_port)
                if ! start_server "$name-2" "${mcmds[$name]}" "$port"; then
                    printf 'round %d  %-9s FAILED to start\n' "$round" "$name"; failed=1; continue
                fi
                wrk_load "$port" 100 1 "$LUA" 2 >/dev/null || true
                out=$(wrk_load "$port" 100 "$HTTP_DURATION" "$LUA" 2) || { log "!! wrk failed: $out"; failed=1; }
                r=$(wrk_rps "$out") p=$(wrk_max_ms "$out")
                mrps[$name]+=" ${r:-0}"
                printf 'round %d  %-9s %10.0f req/s  max %8.2f ms  errors=%s  (%s processes)\n' \
                    "$round" "$name" "${r:-0}" "${p:-0}" "$(wrk_errors "$out")" "$(server_pids | wc -l)"
                stop_server
            done
        done
        # shellcheck disable=SC2086
        a=$(median ${mrps[ours]:-0}) b=$(median ${mrps[swiftnio]:-0})
        printf 'median    ours %.0f req/s   swiftnio %.0f req/s   ratio ours/swiftnio = %s\n' "$a" "$b" "$(ratio "$a" "$b")"
        SERVER_CPU=$saved_server LOADGEN_CPU=$saved_load
    fi
    return "$failed"
}
