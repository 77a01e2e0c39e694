# shellcheck shell=bash
# Suite "memory", sourced by Benchmarks/run.sh (which provides start_server, stop_server, server_pids,
# free_port, median, log, TMP, BENCH, ROOT, ROUNDS, ...). It also sources suites/http.sh for
# build_http, serving_pids, wrk_load and mib.
#
# The memory of an idle HTTP worker: `http-hello` built the default way (`swift build -c release`,
# shared Swift runtime and libc), `http-hello` built by Deploy/small-build.sh (one static executable
# laid out by Deploy/workerman.order), and SwiftNIO's `nio-http` (1 thread). Each serves wrk for
# 2 s (100 connections), sits idle for 1 s, and then its serving process's VmRSS, RssAnon (private
# memory) and RssFile (mapped pages of the program and libraries, shared between processes) are read.

# shellcheck source=/dev/null
source "$BENCH/suites/http.sh"

suite_memory() {
    OURS_ROOT=${OURS_ROOT:-$ROOT} NIO_ROOT=${NIO_ROOT:-$BENCH} PIPELINE_DEPTH=1
    build_http
    local small
    small=$(bash "$ROOT/Deploy/small-build.sh" http-hello)
    log "small:    $small"

    local names=(dynamic small swiftnio) fields=(VmRSS RssAnon RssFile)
    # shellcheck disable=SC2016  # $PORT is expanded by the shell start_server launches
    declare -A cmds=([dynamic]="$OURS_HTTP_CMD" [small]='env HTTP_PORT=$PORT HTTP_PROCESSES=1 '"$small start"
        [swiftnio]="env THREADS=1 $NIO_HTTP_BIN")
    declare -A kib=()
    local failed=0 round k name port pid f line

    echo "== memory: idle serving process after wrk -t1 -c100 for 2 s, $ROUNDS rounds =="
    for round in $(seq "$ROUNDS"); do
        for k in 0 1 2; do
            name=${names[$(((k + round - 1) % 3))]}
            port=$(free_port)
            if ! start_server "$name" "${cmds[$name]}" "$port"; then
                printf 'round %d  %-9s FAILED to start\n' "$round" "$name"
                failed=1; continue
            fi
            wrk_load "$port" 100 2 >/dev/null || { log "!! wrk failed against $name"; failed=1; }
            sleep 1
            pid=$(serving_pids | awk '{print $1}')
            line=""
            for f in "${fields[@]}"; do
                kib[$name.$f]+=" $(status_kib "$pid" "$f")"
                line+=$(printf '  %s %6s MiB' "$f" "$(mib "$(status_kib "$pid" "$f")")")
            done
            printf 'round %d  %-9s%s\n' "$round" "$name" "$line"
            stop_server
        done
    done

    echo
    echo "== medians of $ROUNDS =="
    for name in "${names[@]}"; do
        line=""
        for f in "${fields[@]}"; do
            # shellcheck disable=SC2086  # word splitting of the lists is intended
            line+=$(printf '  %s %6s MiB' "$f" "$(mib "$(median ${kib[$name.$f]:-0})")")
        done
        printf '%-9s%s\n' "$name" "$line"
    done
    return "$failed"
}
