# shellcheck shell=bash
# Suite "https", sourced by Benchmarks/run.sh (which provides start_server, stop_server,
# server_pids, server_rss_kib, free_port, median, ratio, log, TMP, BENCH, ROOT, ROUNDS, ...).
# It also sources suites/http.sh for wrk's report parsers (wrk_rps, wrk_total, wrk_ms, wrk_errors).
#
# "Hello, World!" over TLS: our `https-hello` (Benchmarks/HttpsHello: http-hello with TLS_CERT/TLS_KEY, OpenSSL
# through our TLS module) against `nio-https` (Sources/NIOHttps: nio-http's handler behind
# swift-nio-ssl's NIOSSLServerHandler, BoringSSL), both loaded with wrk over https://:
#   keep-alive with 100 connections, 16-deep pipelining with 100 connections, and (HTTPS_HANDSHAKE=1)
#   one request per connection ("Connection: close"), which measures full TLS handshakes.
# The certificate is a self-signed ECDSA P-256 one made with the openssl CLI (HTTPS_KEY=rsa: RSA 2048).
#
# Environment (besides run.sh's ROUNDS, SERVER_CPU, LOADGEN_CPU, PERF_DURATION, MAIN_SCRATCH):
#   OURS_ROOT=$ROOT      package path of the main package whose https-hello is measured
#   NIO_ROOT=$BENCH      package path that builds the nio-https product
#   OURS_HTTPS_CMD       how to start ours instead (literal $PORT, $CERT and $KEY in it are expanded)
#   HTTP_DURATION=5      seconds per wrk run (after a 1 s warmup per server start)
#   PIPELINE_DEPTH=16    requests per pipelined batch (Benchmarks/suites/http-pipeline.lua)
#   HTTPS_HANDSHAKE=1    also run the one-request-per-connection test; 0: skip
#   HTTPS_KEY=ec         ec (P-256) or rsa (2048 bits)

# shellcheck source=/dev/null
source "$BENCH/suites/http.sh"

# wrk_tls PORT CONNS SECONDS [lua-script] [extra wrk args...]: wrk's --latency report over TLS,
# pinned to LOADGEN_CPU.
wrk_tls() {
    local port=$1 conns=$2 seconds=$3 script=()
    [[ -z ${4:-} ]] || script=(-s "$4")
    shift 4 2>/dev/null || shift $#
    PIPELINE_DEPTH=$PIPELINE_DEPTH taskset -c "$LOADGEN_CPU" \
        wrk -t1 -c"$conns" -d"$seconds"s --latency "${script[@]}" "$@" "https://127.0.0.1:$port/" 2>&1
}

make_cert() {
    CERT="$TMP/https-cert.pem" KEY="$TMP/https-key.pem"
    local alg=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1)
    CERT_KIND="ECDSA P-256"
    [[ ${HTTPS_KEY:-ec} != rsa ]] || { alg=(-newkey rsa:2048); CERT_KIND="RSA 2048"; }
    openssl req -x509 "${alg[@]}" -nodes -days 2 -subj "/CN=127.0.0.1" \
        -addext "subjectAltName=IP:127.0.0.1" -keyout "$KEY" -out "$CERT" 2>"$TMP/openssl.log" || {
        log "!! openssl could not make a certificate:"; cat "$TMP/openssl.log" >&2; return 1; }
}

build_https() {
    command -v openssl >/dev/null || { log "!! the openssl CLI is needed to make a certificate"; return 1; }
    if ! command -v wrk >/dev/null; then
        log "== installing wrk =="
        apt-get install -y wrk >&2 || { apt-get update >&2 && apt-get install -y wrk >&2; }
    fi
    log "== building (release) =="
    swift build -c release --package-path "$NIO_ROOT" --product nio-https >&2
    NIO_HTTPS_BIN="$(swift build -c release --package-path "$NIO_ROOT" --show-bin-path)/nio-https"
    if [[ -z ${OURS_HTTPS_CMD:-} ]]; then
        local scratch=(${MAIN_SCRATCH:+--scratch-path "$MAIN_SCRATCH"})
        swift build -c release --package-path "$OURS_ROOT" "${scratch[@]}" --product https-hello >&2
        # shellcheck disable=SC2016  # $PORT is expanded by the shell start_server launches
        OURS_HTTPS_CMD='env HTTP_PORT=$PORT HTTP_PROCESSES=1 TLS_CERT=$CERT TLS_KEY=$KEY '"$(swift build \
            -c release --package-path "$OURS_ROOT" "${scratch[@]}" --show-bin-path)/https-hello start"
    fi
    # shellcheck disable=SC2016
    NIO_HTTPS_CMD='env THREADS=1 CERT=$CERT KEY=$KEY '"$NIO_HTTPS_BIN"
    log "ours:     $OURS_HTTPS_CMD"
    log "swiftnio: $NIO_HTTPS_CMD"
}

# One response over TLS and the negotiated protocol and cipher (a sanity check that both serve TLS
# with the same body; the ciphers can differ: OpenSSL and BoringSSL choose differently).
show_tls_response() {
    {
        printf 'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' |
            timeout 3 openssl s_client -quiet -connect "127.0.0.1:$1" 2>/dev/null | head -c 400 |
            tr -d '\r' | sed 's/^/    | /'
        echo
        timeout 3 openssl s_client -connect "127.0.0.1:$1" -brief </dev/null 2>&1 |
            grep -E '^(Protocol version|Ciphersuite|Peer certificate|Server Temp Key|Negotiated TLS1.3 group)' |
            sed 's/^/    tls: /'
    } >&2 || true
}


suite_https() {
    OURS_ROOT=${OURS_ROOT:-$ROOT} NIO_ROOT=${NIO_ROOT:-$BENCH}
    HTTP_DURATION=${HTTP_DURATION:-5} PIPELINE_DEPTH=${PIPELINE_DEPTH:-16} HTTPS_HANDSHAKE=${HTTPS_HANDSHAKE:-1}
    LUA="$BENCH/suites/http-pipeline.lua"
    build_https
    make_cert
    export CERT KEY   # expanded by the shell start_server launches

    local names=(ours swiftnio) tests=(keepalive-100 "pipeline${PIPELINE_DEPTH}-100")
    [[ $HTTPS_HANDSHAKE != 1 ]] || tests+=(handshake-100)
    declare -A cmds=([ours]="$OURS_HTTPS_CMD" [swiftnio]="$NIO_HTTPS_CMD")
    declare -A scripts=(["pipeline${PIPELINE_DEPTH}-100"]="$LUA")
    # wrk's percentiles are wrong under pipelining (see http.sh): the maximum is shown there.
    declare -A latkind=([keepalive-100]=p99 ["pipeline${PIPELINE_DEPTH}-100"]=max [handshake-100]=p99)
    declare -A rps=() lats=() rss=()
    local failed=0 round k name port t out r p e kib n kib_all hdr

    echo "== https: wrk -t1 over TLS, ${HTTP_DURATION}s per run (+1s warmup per server start), $ROUNDS rounds;" \
        "server on cpu $SERVER_CPU, wrk on cpu $LOADGEN_CPU; $CERT_KIND certificate =="
    for round in $(seq "$ROUNDS"); do
        for k in 0 1; do   # alternate which server goes first
            name=${names[$(((k + round - 1) % 2))]}
            port=$(free_port)
            if ! start_server "$name" "${cmds[$name]}" "$port"; then
                printf 'round %d  %-9s FAILED to start\n' "$round" "$name"
                failed=1; continue
            fi
            ((round > 1)) || show_tls_response "$port"
            wrk_tls "$port" 100 1 >/dev/null || true   # warmup
            for t in "${tests[@]}"; do
                hdr=()
                [[ $t != handshake-100 ]] || hdr=(-H "Connection: close")
                out=$(wrk_tls "$port" 100 "$HTTP_DURATION" "${scripts[$t]:-}" "${hdr[@]}") || {
                    log "!! wrk failed against $name ($t): $out"; failed=1; }
                record_wrk_run "$round" "$name" "$t" "$out"
            done
            read -r kib n kib_all < <(server_rss_kib)
            rss[$name]+=" $kib"
            stop_server
        done
    done

    print_wrk_medians
    for name in "${names[@]}"; do
        # shellcheck disable=SC2086
        printf '%-9s VmRSS of the serving process after the load: %s MiB\n' "$name" "$(mib "$(median ${rss[$name]:-0})")"
    done

    echo
    print_perf_per_request " over TLS" wrk_tls
    return "$failed"
}
