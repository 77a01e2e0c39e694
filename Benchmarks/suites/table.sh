# shellcheck shell=bash
# Suite "table", sourced by Benchmarks/run.sh (which provides start_server, stop_server, server_pids,
# free_port, median, ratio, log, TMP, BENCH, ROOT, ROUNDS, SERVER_CPU, LOADGEN_CPU). It also sources
# suites/http.sh for build_http, wrk_load, wrk_rps and serving_pids.
#
# Issue 14's table: user-space instructions the server retires per request, counted exactly by
# valgrind's callgrind (perf stat has no hardware counters on these VMs), for
#   HTTP GET 16 pipelined and 1 in flight, text echo 16 lines in flight and 1 (50 connections each),
#   WebSocket echo of masked 32-byte text frames (16 in flight, 50 connections),
#   fan-out of one websocket message to 10,000 clients (per delivery),
# then idle memory per connection (10,000 connections held idle after one exchange: growth of the
# serving process's VmRSS and RssAnon, divided by 10,000) for HTTP, text and websocket, then
# throughput side by side (wrk and loadgen pinned, rounds rotated, medians).
#
# Servers: ours (Benchmarks/HttpHello, Benchmarks/TextEcho and ws-echo, exactly the README's user
# programs, one process), SwiftNIO (nio-http, nio-line-echo, nio-websocket, one event loop), a C epoll
# loop (loadgen/c_echo.c, C_HTTP=1 for HTTP; it has no websocket), and PHP Workerman 5 when
# WORKERMAN_DIR names a checkout of walkor/workerman (and php-cli is installed): skipped otherwise.
#
# How an instruction count is taken: the server runs under `valgrind --tool=callgrind` (children
# traced, a copy of each binary with its debug info stripped: valgrind 3.19 cannot read Swift's
# DWARF 5); Benchmarks/loadgen/reqload sends a warmup load, `callgrind_control -z` zeroes the counts
# of every serving process, reqload sends an exact number of requests and waits for every answer,
# `callgrind_control -d` dumps the counts, and their sum is divided by the number of requests.
#
# Environment (besides run.sh's): TABLE_PARTS="instr memory throughput" (any subset),
#   OURS_ROOT=$ROOT, OURS_BIN (a directory holding already built http-hello, text-echo-bench and ws-echo:
#   nothing of ours is built then), NIO_ROOT=$BENCH, WORKERMAN_DIR (PHP Workerman checkout), IDLE_CONNS=10000,
#   FANOUT_SUBSCRIBERS=10000, TABLE_DURATION=5 (seconds per throughput run), TABLE_ROWS (a subset of
#   "http16 http1 text16 text1 ws16 fanout"), TABLE_SERVERS (a subset of "c swiftnio php ours").

# shellcheck source=/dev/null
source "$BENCH/suites/http.sh"

TABLE_CONNS=50
# load name -> "reqload mode, in flight, requests per connection measured"
declare -A TABLE_LOADS=(
    [http16]="http 16 400" [http1]="http 1 100" [text16]="line 16 1000" [text1]="line 1 200" [ws16]="ws 16 400"
)
read -ra TABLE_ROWS <<<"${TABLE_ROWS:-http16 http1 text16 text1 ws16 fanout}"
declare -A TABLE_TITLES=(
    [http16]="HTTP GET, 16 pipelined" [http1]="HTTP GET, 1 in flight" [text16]="text echo, 16 lines in flight"
    [text1]="text echo, 1 line in flight" [ws16]="ws echo, 32-byte masked text, 16 in flight"
    [fanout]="ws fan-out to 10,000 (per delivery)"
)

build_table() {
    command -v wrk >/dev/null || { log "== installing wrk =="; apt-get install -y wrk >&2; }
    log "== building (release) =="
    local scratch=(${MAIN_SCRATCH:+--scratch-path "$MAIN_SCRATCH"}) bin=${OURS_BIN:-} nio_bin product
    if [[ -z $bin ]]; then
        for product in http-hello text-echo-bench ws-echo; do
            swift build -c release --package-path "$OURS_ROOT" "${scratch[@]}" --product "$product" >&2
        done
        bin=$(swift build -c release --package-path "$OURS_ROOT" "${scratch[@]}" --show-bin-path)
    fi
    for product in nio-http nio-line-echo nio-websocket; do
        swift build -c release --package-path "$NIO_ROOT" --product "$product" >&2
    done
    nio_bin=$(swift build -c release --package-path "$NIO_ROOT" --show-bin-path)
    gcc -O2 -Wall -o "$BENCH/loadgen/c_echo" "$BENCH/loadgen/c_echo.c"
    gcc -O2 -Wall -o "$BENCH/loadgen/reqload" "$BENCH/loadgen/reqload.c"
    gcc -O2 -Wall -o "$BENCH/loadgen/loadgen" "$BENCH/loadgen/loadgen.c"
    # Copies without debug info, for valgrind (and the same copies run natively, so both measure one file).
    mkdir -p "$TMP/bin"
    local b
    for b in "$bin/http-hello" "$bin/text-echo-bench" "$bin/ws-echo" "$nio_bin/nio-http" "$nio_bin/nio-line-echo" \
        "$nio_bin/nio-websocket" "$BENCH/loadgen/c_echo"; do
        strip --strip-debug -o "$TMP/bin/$(basename "$b")" "$b"
    done
    PHP_OK=""
    if [[ -n ${WORKERMAN_DIR:-} ]]; then
        if ! command -v php >/dev/null; then
            log "!! WORKERMAN_DIR is set but php is not installed (apt-get install php-cli): PHP Workerman skipped"
        elif [[ ! -f $WORKERMAN_DIR/src/Worker.php ]]; then
            log "!! WORKERMAN_DIR=$WORKERMAN_DIR has no src/Worker.php (Workerman 5): PHP Workerman skipped"
        else
            write_php_servers
            PHP_OK=1
        fi
    else
        log "PHP Workerman skipped: set WORKERMAN_DIR to a checkout of walkor/workerman (version 5) to include it"
    fi
}

# The PHP Workerman programs: the same three servers, one worker process each.
write_php_servers() {
    cat >"$TMP/autoload.php" <<PHP
<?php
spl_autoload_register(function (\$class) {
    \$prefix = 'Workerman\\\\';
    if (strncmp(\$class, \$prefix, strlen(\$prefix)) !== 0) return;
    \$file = '$WORKERMAN_DIR/src/' . str_replace('\\\\', '/', substr(\$class, strlen(\$prefix))) . '.php';
    if (is_file(\$file)) require \$file;
});
PHP
    local common='<?php
require __DIR__ . "/autoload.php";
use Workerman\Worker;
use Workerman\Protocols\Http\Response;
Worker::$pidFile = __DIR__ . "/php-" . getenv("PORT") . ".pid";
Worker::$logFile = __DIR__ . "/php.log";
'
    printf '%s' "$common" >"$TMP/php-http.php"
    cat >>"$TMP/php-http.php" <<'PHP'
$w = new Worker("http://127.0.0.1:" . getenv("PORT"));
$w->onMessage = function ($c, $r) { $c->send(new Response(200, ["Content-Type" => "text/plain"], "Hello, World!")); };
Worker::runAll();
PHP
    printf '%s' "$common" >"$TMP/php-line.php"
    cat >>"$TMP/php-line.php" <<'PHP'
$w = new Worker("text://127.0.0.1:" . getenv("PORT"));
$w->onMessage = function ($c, $data) { $c->send($data); };
Worker::runAll();
PHP
    printf '%s' "$common" >"$TMP/php-ws.php"
    cat >>"$TMP/php-ws.php" <<'PHP'
$w = new Worker("websocket://127.0.0.1:" . getenv("PORT"));
$w->onMessage = function ($c, $data) use (&$w) {
    if (strncmp($data, "/broadcast ", 11) === 0) {
        $m = substr($data, 11);
        foreach ($w->connections as $each) $each->send($m);
        return;
    }
    $c->send($data);
};
Worker::runAll();
PHP
}

# table_cmd SERVER KIND: how start_server starts SERVER (ours, swiftnio, c, php) for KIND (http, line, ws),
# or nothing when that server has no such program. PORT is set by start_server.
table_cmd() {
    local b="$TMP/bin"
    case $1.$2 in
    ours.http) echo "env HTTP_PORT=\$PORT HTTP_PROCESSES=1 WORKERMAN_RUNTIME_DIR=$TMP $b/http-hello start" ;;
    ours.line) echo "env TEXT_PORT=\$PORT TEXT_PROCESSES=1 WORKERMAN_RUNTIME_DIR=$TMP $b/text-echo-bench start" ;;
    ours.ws) echo "env WS_PORT=\$PORT WS_BROADCAST=1 WORKERMAN_RUNTIME_DIR=$TMP $b/ws-echo start" ;;
    swiftnio.http) echo "env THREADS=1 $b/nio-http" ;;
    swiftnio.line) echo "$b/nio-line-echo" ;;
    swiftnio.ws) echo "$b/nio-websocket" ;;
    c.http) echo "env C_HTTP=1 $b/c_echo" ;;
    c.line) echo "$b/c_echo" ;;
    php.*) [[ -z $PHP_OK ]] || echo "php $TMP/php-$2.php start" ;;
    esac
}

# The processes whose instructions count: every process of the server but the session leader when
# there are several (a master's workers), else the only one.
counted_pids() {
    local all
    all=$(server_pids)
    if [[ $(wc -w <<<"$all") -gt 1 ]]; then serving_pids; else echo "$all"; fi
}

# callgrind_per_request SERVER ROW: sets COUNTED to the user-space instructions per request (per
# delivery for fanout), or "n/a". (Not in a subshell: the EXIT trap must know the server it started.)
callgrind_per_request() {
    local server=$1 row=$2 kind mode inflight per cmd port pid out n sum=0 outdir="$TMP/cg.$1.$2"
    if [[ $row == fanout ]]; then kind=ws; else read -r mode inflight per <<<"${TABLE_LOADS[$row]}"; kind=$mode; fi
    cmd=$(table_cmd "$server" "$kind")
    COUNTED=n/a
    [[ -n $cmd ]] || return 0
    if [[ $server == php && $row == fanout ]] && ! php_holds_many; then
        log "PHP Workerman fan-out skipped: select() holds no more than 1024 connections (install PHP's event extension)"
        return 0
    fi
    mkdir -p "$outdir"
    port=$(free_port)
    START_TIMEOUT=120 start_server "cg-$server-$row" \
        "valgrind --tool=callgrind --trace-children=yes --callgrind-out-file=$outdir/cg.%p $cmd" "$port" || return 0
    local args=(fanout 127.0.0.1 "$port" "$FANOUT_SUBSCRIBERS" 10) line
    [[ $row == fanout ]] || args=(count "$mode" 127.0.0.1 "$port" "$TABLE_CONNS" "$inflight" "$per")
    # reqload warms up, says "warm", waits for "go", sends the counted load, says its result and
    # holds its connections until its input closes: the counts are zeroed and dumped in between.
    coproc RQ { taskset -c "$LOADGEN_CPU" "$BENCH/loadgen/reqload" "${args[@]}" 2>&1; }
    local rq_pid=$RQ_PID rq_in=${RQ[1]} rq_out=${RQ[0]}
    out=""
    if read -r -t 900 line <&"$rq_out" && [[ $line == warm ]]; then
        for pid in $(counted_pids); do callgrind_control -z "$pid" >/dev/null 2>&1 || true; done
        echo go >&"$rq_in"
        read -r -t 900 out <&"$rq_out" || out=""
        for pid in $(counted_pids); do
            rm -f "$outdir"/cg."$pid".*
            callgrind_control -d "$pid" >/dev/null 2>&1 || true
            sum=$((sum + $(cat "$outdir"/cg."$pid".* 2>/dev/null | awk '/^summary:/ {s += $2} END {print s + 0}')))
        done
    else
        log "!! reqload against $server ($row): ${line:-no answer}"
    fi
    eval "exec $rq_in>&-"
    wait "$rq_pid" 2>/dev/null || true
    n=$(sed -n 's/.*\(requests\|deliveries\)=\([0-9]*\).*/\2/p' <<<"$out")
    stop_server
    if [[ ${n:-0} -gt 0 && $sum -gt 0 ]]; then
        COUNTED=$(awk -v s="$sum" -v n="$n" 'BEGIN { printf "%.0f", s / n }')
    else
        log "!! no count for $server $row (answers: ${n:-0}, instructions: $sum)"
    fi
}

table_servers() { echo "${TABLE_SERVERS:-c swiftnio ${PHP_OK:+php} ours}"; }

# True when PHP Workerman can hold 10,000 connections: its default loop is select(), which takes
# descriptors below 1024 only; the event extension lifts that.
php_holds_many() { [[ -n $PHP_OK ]] && php -m 2>/dev/null | grep -qix event; }

# num VALUE: VALUE when it is a number, else 0 (for ratio, which prints n/a for 0).
num() { [[ $1 =~ ^[0-9.]+$ ]] && echo "$1" || echo 0; }

table_instructions() {
    echo "== user-space instructions per request (callgrind; $TABLE_CONNS connections; fan-out: per delivery) =="
    local row server line
    declare -A v=()
    printf '%-44s %9s %9s %9s %9s   %8s %8s %8s\n' load c swiftnio php ours ours/c ours/nio ours/php
    for row in "${TABLE_ROWS[@]}"; do
        for server in $(table_servers); do
            callgrind_per_request "$server" "$row"
            v[$server]=$COUNTED
        done
        printf '%-44s %9s %9s %9s %9s   %8s %8s %8s\n' "${TABLE_TITLES[$row]}" "${v[c]:-n/a}" "${v[swiftnio]:-n/a}" \
            "${v[php]:-n/a}" "${v[ours]:-n/a}" "$(ratio "$(num "${v[ours]:-}")" "$(num "${v[c]:-}")")" \
            "$(ratio "$(num "${v[ours]:-}")" "$(num "${v[swiftnio]:-}")")" \
            "$(ratio "$(num "${v[ours]:-}")" "$(num "${v[php]:-}")")"
        v=()
    done
    echo
}

# idle_bytes SERVER KIND: sets IDLE to "<VmRSS bytes> / <RssAnon bytes>" of growth per idle connection.
idle_bytes() {
    local server=$1 kind=$2 cmd port pid before_rss before_anon after_rss after_anon fifo="$TMP/idle.fifo" ready
    cmd=$(table_cmd "$server" "$kind")
    IDLE="n/a"
    [[ -n $cmd ]] || return 0
    if [[ $server == php ]] && ! php_holds_many; then
        log "PHP Workerman idle memory skipped: select() holds no more than 1024 connections (install PHP's event extension)"
        return 0
    fi
    port=$(free_port)
    start_server "idle-$server-$kind" "$cmd" "$port" || return 0
    "$BENCH/loadgen/reqload" count "$kind" 127.0.0.1 "$port" 100 1 10 </dev/null >/dev/null || true   # warm up
    sleep 0.5
    pid=$(counted_pids | awk '{print $1}')
    before_rss=$(status_kib "$pid" VmRSS) before_anon=$(status_kib "$pid" RssAnon)
    rm -f "$fifo" && mkfifo "$fifo"
    "$BENCH/loadgen/reqload" idle "$kind" 127.0.0.1 "$port" "$IDLE_CONNS" <"$fifo" >"$TMP/idle.out" 2>&1 &
    local idle_pid=$!
    exec 7>"$fifo"
    for _ in $(seq 600); do
        ready=$(cat "$TMP/idle.out")
        [[ -z $ready ]] || break
        kill -0 "$idle_pid" 2>/dev/null || break
        sleep 0.1
    done
    sleep 1
    after_rss=$(status_kib "$pid" VmRSS) after_anon=$(status_kib "$pid" RssAnon)
    exec 7>&-
    wait "$idle_pid" 2>/dev/null || true
    stop_server
    if [[ $ready == ready=*" errors=0" ]]; then
        IDLE=$(awk -v a="$before_rss" -v b="$after_rss" -v c="$before_anon" -v d="$after_anon" -v n="$IDLE_CONNS" \
            'BEGIN { printf "%.0f / %.0f", (b - a) * 1024 / n, (d - c) * 1024 / n }')
    else
        log "!! idle $server $kind: ${ready:-no answer from reqload}"
    fi
}

table_memory() {
    echo "== idle memory per connection ($IDLE_CONNS held idle after one exchange; growth of the serving" \
        "process, bytes: VmRSS / RssAnon) =="
    local kind server
    printf '%-10s' kind
    for server in $(table_servers); do printf ' %17s' "$server"; done
    echo
    for kind in http line ws; do
        printf '%-10s' "$kind"
        for server in $(table_servers); do
            idle_bytes "$server" "$kind"
            printf ' %17s' "$IDLE"
        done
        echo
    done
    echo
}

# Throughput side by side: every server of a row in turn per round (order rotated), wrk (HTTP) or
# loadgen (text) pinned to LOADGEN_CPU, server to SERVER_CPU, 100 connections; medians and ratios.
table_throughput() {
    echo "== throughput (100 connections, ${TABLE_DURATION}s per run, $ROUNDS rounds rotated, medians; req/s) =="
    local test servers server round k port out r kind n
    read -ra servers <<<"$(table_servers)"
    n=${#servers[@]}
    printf '%-22s' test
    for server in "${servers[@]}"; do printf ' %10s' "$server"; done
    printf '   %8s %8s\n' ours/c ours/nio
    for test in http-pipelined16 http-1-in-flight text-16-in-flight; do
        declare -A rates=()
        for round in $(seq "$ROUNDS"); do
            for k in $(seq 0 $((n - 1))); do
                server=${servers[$(((k + round - 1) % n))]}
                kind=http
                [[ $test != text* ]] || kind=line
                port=$(free_port)
                start_server "tp-$server" "$(table_cmd "$server" "$kind")" "$port" || continue
                case $test in
                http-pipelined16)
                    wrk_load "$port" 100 1 "$LUA" >/dev/null || true
                    out=$(wrk_load "$port" 100 "$TABLE_DURATION" "$LUA") || true
                    r=$(wrk_rps "$out") ;;
                http-1-in-flight)
                    wrk_load "$port" 100 1 >/dev/null || true
                    out=$(wrk_load "$port" 100 "$TABLE_DURATION") || true
                    r=$(wrk_rps "$out") ;;
                text-16-in-flight)
                    out=$(taskset -c "$LOADGEN_CPU" "$BENCH/loadgen/loadgen" 127.0.0.1 "$port" 100 16 \
                        "$TABLE_DURATION") || true
                    r=$(field roundtrips_per_sec "$out") ;;
                esac
                stop_server
                rates[$server]+=" ${r:-0}"
            done
        done
        printf '%-22s' "$test"
        declare -A med=()
        for server in "${servers[@]}"; do
            # shellcheck disable=SC2086  # word splitting of the lists is intended
            med[$server]=$(median ${rates[$server]:-0})
            printf ' %10.0f' "${med[$server]}"
        done
        printf '   %8s %8s\n' "$(ratio "${med[ours]}" "${med[c]}")" "$(ratio "${med[ours]}" "${med[swiftnio]}")"
        unset rates med
    done
    echo
}

suite_table() {
    OURS_ROOT=${OURS_ROOT:-$ROOT} NIO_ROOT=${NIO_ROOT:-$BENCH} PIPELINE_DEPTH=${PIPELINE_DEPTH:-16}
    LUA="$BENCH/suites/http-pipeline.lua" IDLE_CONNS=${IDLE_CONNS:-10000}
    FANOUT_SUBSCRIBERS=${FANOUT_SUBSCRIBERS:-10000} TABLE_DURATION=${TABLE_DURATION:-5}
    local parts=${TABLE_PARTS:-instr memory throughput}
    ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
    command -v valgrind >/dev/null || { log "installing valgrind"; apt-get install -y valgrind >&2; }
    build_table
    [[ $parts != *instr* ]] || table_instructions
    [[ $parts != *memory* ]] || table_memory
    [[ $parts != *throughput* ]] || table_throughput
}
