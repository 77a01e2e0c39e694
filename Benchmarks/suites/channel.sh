# shellcheck shell=bash
# Suite "channel", sourced by Benchmarks/run.sh (which provides start_server, stop_server,
# server_pids, free_port, median, log, TMP, ROOT, ROUNDS, SERVER_CPU, ...).
#
# Channel and GlobalData, with the `ROLE=bench` mode of the channel-probe test fixture
# (Tests/Fixtures/ChannelProbe/Bench.swift): one Workerman program with a ChannelServer, a
# GlobalDataServer, 4 subscriber processes, a publisher process and a GlobalData client process.
# Each of ROUNDS rounds runs it three times, in three modes:
#   flood       EVENTS=$CHANNEL_EVENTS (100000) published BATCH=1000 per millisecond (as fast as
#               the publisher goes): deliveries/s = 4 subscribers x events / the slowest
#               subscriber's time from the first publish to its last event
#   paced       EVENTS=$PACED_EVENTS (20000) at PACED_BATCH (10) per millisecond (10k events/s
#               offered, if the 1 ms timer keeps up): publish-to-delivery latency, p50 (median of
#               the 4 subscribers) and p99 (the worst subscriber's)
#   globaldata  no events; OPS=$GD_OPS (20000) increments with the blocking client, then as many
#               with the non-blocking one (256 in flight): ops/s of each
# (The flood and paced runs do a single GlobalData increment; the globaldata run publishes nothing,
# so the modes do not load each other.) Then the medians over the rounds.
#
# Environment (besides run.sh's ROUNDS, MAIN_SCRATCH):
#   OURS_ROOT=$ROOT      package path of the main package whose channel-probe is measured
#   CHANNEL_CPUS         taskset CPU list for the program (default: every CPU; it runs 8 processes)
#   CHANNEL_TIMEOUT=60   seconds a run may take before it counts as failed
#   CHANNEL_EVENTS=100000  PACED_EVENTS=20000  PACED_BATCH=10  GD_OPS=20000

# channel_run NAME "ENV=... ..." COUNT PATTERN: starts the program with those variables, waits (up
# to CHANNEL_TIMEOUT s) for COUNT lines of its output matching PATTERN, stops it cleanly (the
# `stop` command, then whatever is left of its session), and leaves its output in $TMP/NAME.log.
channel_run() {
    local name=$1 vars=$2 count=$3 pattern=$4 port gport dir deadline ok=1
    port=$(free_port) gport=$(free_port)
    while [[ $gport == "$port" ]]; do gport=$(free_port); done
    dir="$TMP/runtime.$name"
    mkdir -p "$dir"
    start_server "$name" "env WORKERMAN_RUNTIME_DIR=$dir ROLE=bench GD_PORT=$gport $vars $CHANNEL_BIN start" \
        "$port" || return 1
    deadline=$((SECONDS + CHANNEL_TIMEOUT))
    while (($(grep -c -- "$pattern" "$TMP/$name.log" || true) < count)); do
        if ((SECONDS >= deadline)) || [[ -z $(server_pids) ]]; then
            log "!! $name: no result after ${CHANNEL_TIMEOUT}s (or it died); log:"
            tail -n 20 "$TMP/$name.log" >&2 || true
            ok=0
            break
        fi
        sleep 0.1
    done
    WORKERMAN_RUNTIME_DIR=$dir timeout 15 "$CHANNEL_BIN" stop >>"$TMP/$name.stop.log" 2>&1 || true
    stop_server   # reaps the launcher; kills anything the stop command left
    ((ok))
}

# sub_field NAME LOG: the value after NAME in every subscriber line ("... p99 123.4 us ...").
sub_field() { awk -v k="$1" '/^bench subscriber/ { for (i = 1; i < NF; i++) if ($i == k) print $(i + 1) }' "$2"; }

suite_channel() {
    OURS_ROOT=${OURS_ROOT:-$ROOT} CHANNEL_TIMEOUT=${CHANNEL_TIMEOUT:-60}
    CHANNEL_EVENTS=${CHANNEL_EVENTS:-100000} PACED_EVENTS=${PACED_EVENTS:-20000}
    PACED_BATCH=${PACED_BATCH:-10} GD_OPS=${GD_OPS:-20000}
    local scratch=(${MAIN_SCRATCH:+--scratch-path "$MAIN_SCRATCH"})
    log "== building channel-probe (release) =="
    swift build -c release --package-path "$OURS_ROOT" "${scratch[@]}" --product channel-probe >&2
    CHANNEL_BIN="$(swift build -c release --package-path "$OURS_ROOT" "${scratch[@]}" --show-bin-path)/channel-probe"
    log "ours: $CHANNEL_BIN"

    local saved_cpu=$SERVER_CPU failed=0 round lg secs d p50 p99 b nb
    SERVER_CPU=${CHANNEL_CPUS:-0-$(($(nproc) - 1))}
    local -a deliveries=() lat50=() lat99=() gdb=() gdnb=()
    echo "== channel: 4 subscriber processes; flood $CHANNEL_EVENTS events, paced $PACED_EVENTS events" \
        "at $PACED_BATCH/ms, GlobalData $GD_OPS ops; $ROUNDS rounds on cpus $SERVER_CPU =="
    for round in $(seq "$ROUNDS"); do
        # flood: throughput
        lg="$TMP/flood.$round.log"
        if channel_run "flood.$round" "EVENTS=$CHANNEL_EVENTS BATCH=1000 OPS=1" 4 '^bench subscriber'; then
            secs=$(sub_field in "$lg" | sort -g | tail -n1)
            d=$(awk -v e="$CHANNEL_EVENTS" -v s="$secs" 'BEGIN { printf "%.0f", 4 * e / s }')
            deliveries+=("$d")
            printf 'round %d  flood       %10s deliveries/s  (%s events to 4 subscribers in %.3f s; latency under flood p50 %.0f us, p99 %.0f us)\n' \
                "$round" "$d" "$CHANNEL_EVENTS" "$secs" "$(median $(sub_field p50 "$lg"))" \
                "$(sub_field p99 "$lg" | sort -g | tail -n1)"
        else
            failed=1; printf 'round %d  flood       FAILED\n' "$round"
        fi
        # paced: latency
        lg="$TMP/paced.$round.log"
        if channel_run "paced.$round" "EVENTS=$PACED_EVENTS BATCH=$PACED_BATCH OPS=1" 4 '^bench subscriber'; then
            # shellcheck disable=SC2046  # one value per subscriber
            p50=$(median $(sub_field p50 "$lg"))
            p99=$(sub_field p99 "$lg" | sort -g | tail -n1)
            secs=$(sub_field in "$lg" | sort -g | tail -n1)
            lat50+=("$p50") lat99+=("$p99")
            printf 'round %d  paced       latency p50 %8.1f us  p99 %8.1f us  (%s events in %.3f s: %.0f events/s to each subscriber)\n' \
                "$round" "$p50" "$p99" "$PACED_EVENTS" "$secs" "$(awk -v e="$PACED_EVENTS" -v s="$secs" 'BEGIN { print e / s }')"
        else
            failed=1; printf 'round %d  paced       FAILED\n' "$round"
        fi
        # globaldata: ops/s
        lg="$TMP/globaldata.$round.log"
        if channel_run "globaldata.$round" "EVENTS=0 OPS=$GD_OPS" 1 '^bench globaldata non-blocking'; then
            b=$(sed -n 's/^bench globaldata blocking:.* = \([0-9]*\) ops\/s.*/\1/p' "$lg")
            nb=$(sed -n 's/^bench globaldata non-blocking.* = \([0-9]*\) ops\/s.*/\1/p' "$lg")
            gdb+=("${b:-0}") gdnb+=("${nb:-0}")
            printf 'round %d  globaldata  blocking %8s ops/s  non-blocking %8s ops/s\n' "$round" "${b:-?}" "${nb:-?}"
            grep '^bench globaldata.*failed' "$lg" >&2 && failed=1
        else
            failed=1; printf 'round %d  globaldata  FAILED\n' "$round"
        fi
    done
    SERVER_CPU=$saved_cpu

    echo
    echo "== medians of $ROUNDS =="
    # shellcheck disable=SC2068
    printf 'channel deliveries/s (flood, 4 subscribers)  %10s\n' "$(median ${deliveries[@]:-0})"
    printf 'channel latency p50 (paced)                  %10.1f us\n' "$(median ${lat50[@]:-0})"
    printf 'channel latency p99 (paced, worst subscriber) %9.1f us\n' "$(median ${lat99[@]:-0})"
    printf 'globaldata blocking ops/s                    %10s\n' "$(median ${gdb[@]:-0})"
    printf 'globaldata non-blocking ops/s (256 in flight) %9s\n' "$(median ${gdnb[@]:-0})"
    return "$failed"
}
