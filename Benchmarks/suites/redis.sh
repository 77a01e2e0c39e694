# shellcheck shell=bash
# Suite "redis", sourced by Benchmarks/run.sh (which provides start_server, stop_server, free_port,
# median, ratio, log, TMP, ROOT, ROUNDS, SERVER_CPU, LOADGEN_CPU, ...).
#
# One redis-server (no persistence) on a free port, pinned to SERVER_CPU, and per round:
#   1. commands per second of WorkermanRedis's async client (`redis-bench`, release) against
#      `redis-benchmark` on the same server, both pinned to LOADGEN_CPU, pipelined (-P $REDIS_PIPELINE)
#      SET and GET with 1 and 50 connections, REDIS_REQUESTS commands each; the ratio is ours /
#      redis-benchmark (its C client is the anchor);
#   2. Channel publish -> 4 subscriber processes, deliveries per second, on our Channel server and
#      on Redis (the channel suite's flood mode of channel-probe, with CHANNEL_URL=redis://...),
#      and GlobalData increments per second on our GlobalData server and on Redis.
# Then the medians over the rounds.
#
# Environment (besides run.sh's ROUNDS, SERVER_CPU, LOADGEN_CPU, MAIN_SCRATCH):
#   REDIS_REQUESTS=200000  REDIS_PIPELINE=50  CHANNEL_EVENTS=100000 (as the channel suite)

suite_redis() {
    # The Channel runs come from the channel suite's helpers (channel_run, sub_field).
    # shellcheck source=/dev/null
    source "$BENCH/suites/channel.sh"
    OURS_ROOT=${OURS_ROOT:-$ROOT} CHANNEL_TIMEOUT=${CHANNEL_TIMEOUT:-90}
    CHANNEL_EVENTS=${CHANNEL_EVENTS:-100000}
    local requests=${REDIS_REQUESTS:-200000} pipeline=${REDIS_PIPELINE:-50}
    command -v redis-server >/dev/null && command -v redis-benchmark >/dev/null ||
        { log "redis-server and redis-benchmark are needed (.ci/deps/redis.sh)"; exit 2; }
    local scratch=(${MAIN_SCRATCH:+--scratch-path "$MAIN_SCRATCH"})
    log "== building redis-bench and channel-probe (release) =="
    swift build -c release --package-path "$OURS_ROOT" "${scratch[@]}" --product redis-bench >&2
    swift build -c release --package-path "$OURS_ROOT" "${scratch[@]}" --product channel-probe >&2
    local bin
    bin="$(swift build -c release --package-path "$OURS_ROOT" "${scratch[@]}" --show-bin-path)"
    CHANNEL_BIN="$bin/channel-probe"

    local rport rdir rpid
    rport=$(free_port) rdir="$TMP/redis"
    mkdir -p "$rdir"
    taskset -c "$SERVER_CPU" redis-server --port "$rport" --bind 127.0.0.1 --dir "$rdir" --save "" \
        --appendonly no --daemonize no >"$TMP/redis-server.log" 2>&1 &
    rpid=$!
    for _ in $(seq 100); do
        redis-cli -p "$rport" PING >/dev/null 2>&1 && break
        sleep 0.1
    done
    local url="redis://127.0.0.1:$rport"

    local -A ours=() theirs=()
    local round cmd conns ours_ops theirs_ops key lg secs d
    local -a ch_ours=() ch_redis=() gd_ours=() gd_redis=()
    echo "== redis: pipelined commands (-P $pipeline, $requests each) and Channel/GlobalData on Redis;" \
        "$ROUNDS rounds; redis-server on cpu $SERVER_CPU, clients on cpu $LOADGEN_CPU =="
    for round in $(seq "$ROUNDS"); do
        for cmd in set get; do
            for conns in 1 50; do
                key="$cmd.$conns"
                ours_ops=$(taskset -c "$LOADGEN_CPU" "$bin/redis-bench" "$url" "$cmd" "$conns" "$pipeline" \
                    "$requests" | sed -n 's/.* ops=\([0-9]*\).*/\1/p')
                theirs_ops=$(taskset -c "$LOADGEN_CPU" redis-benchmark -p "$rport" -t "$cmd" -n "$requests" \
                    -c "$conns" -P "$pipeline" -q --csv | awk -F'","' 'NR == 2 { print int($2) }')
                ours[$key]+="$ours_ops " theirs[$key]+="$theirs_ops "
                printf 'round %d  %-3s %2d conn  ours %9s ops/s  redis-benchmark %9s ops/s  ratio %s\n' \
                    "$round" "$cmd" "$conns" "$ours_ops" "$theirs_ops" "$(ratio "$ours_ops" "$theirs_ops")"
            done
        done
        for backend in ours redis; do
            local vars="EVENTS=$CHANNEL_EVENTS BATCH=1000 OPS=20000"
            [[ $backend == redis ]] && vars+=" CHANNEL_URL=$url/1 GD_URL=$url/2"
            lg="$TMP/redis-$backend.$round.log"
            if channel_run "redis-$backend.$round" "$vars" 5 '^bench \(subscriber\|globaldata non\)'; then
                secs=$(sub_field in "$lg" | sort -g | tail -n1)
                d=$(awk -v e="$CHANNEL_EVENTS" -v s="$secs" 'BEGIN { printf "%.0f", 4 * e / s }')
                local gd
                gd=$(sed -n 's/^bench globaldata non-blocking.* = \([0-9]*\) ops\/s/\1/p' "$lg")
                if [[ $backend == ours ]]; then ch_ours+=("$d") gd_ours+=("$gd"); else ch_redis+=("$d") gd_redis+=("$gd"); fi
                printf 'round %d  channel on %-5s %10s deliveries/s   globaldata %8s ops/s (256 in flight)\n' \
                    "$round" "$backend" "$d" "$gd"
            fi
        done
    done
    kill "$rpid" 2>/dev/null || true
    wait "$rpid" 2>/dev/null || true

    echo "== redis: medians over $ROUNDS rounds =="
    for cmd in set get; do
        for conns in 1 50; do
            key="$cmd.$conns"
            # shellcheck disable=SC2086
            ours_ops=$(median ${ours[$key]}) theirs_ops=$(median ${theirs[$key]})
            printf '%-3s %2d conn  ours %9s ops/s  redis-benchmark %9s ops/s  ratio %s\n' \
                "$cmd" "$conns" "$ours_ops" "$theirs_ops" "$(ratio "$ours_ops" "$theirs_ops")"
        done
    done
    if ((${#ch_ours[@]} && ${#ch_redis[@]})); then
        printf 'channel deliveries/s: our server %s, Redis %s, ratio Redis/ours %s\n' \
            "$(median "${ch_ours[@]}")" "$(median "${ch_redis[@]}")" \
            "$(ratio "$(median "${ch_redis[@]}")" "$(median "${ch_ours[@]}")")"
        printf 'globaldata ops/s: our server %s, Redis %s\n' "$(median "${gd_ours[@]}")" "$(median "${gd_redis[@]}")"
    fi
}
