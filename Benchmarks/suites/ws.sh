# shellcheck shell=bash
# The "ws" suite: ws-echo (ours) against SwiftNIO's NIOWebSocket (nio-websocket), sourced by
# Benchmarks/run.sh, which provides start_server, stop_server, free_port, field, median, ratio, log.
#
#   bash Benchmarks/run.sh ws
#
# 1. echo: CONNS connections, each keeping INFLIGHT 16-byte text messages in flight: round trips/s.
# 2. fan-out: SUBSCRIBERS connections (default 10,000) and one publisher; each "/broadcast" text
#    message goes to every connection; one broadcast in flight at a time: deliveries/s.
# The load generator is a small C epoll client, compiled from the source below.

SUBSCRIBERS=${SUBSCRIBERS:-10000}

build_ws() {
    log "== building (release) =="
    # Target names must be unique across the package graph (swift-nio has an NIOWebSocket module).
    swift build -c release --package-path "$BENCH" --product nio-websocket >&2
    NIO_WS_BIN="$(swift build -c release --package-path "$BENCH" --show-bin-path)/nio-websocket"
    local scratch=(${MAIN_SCRATCH:+--scratch-path "$MAIN_SCRATCH"})
    swift build -c release --package-path "$ROOT" "${scratch[@]}" --product ws-echo >&2
    OURS_WS_BIN="$(swift build -c release --package-path "$ROOT" "${scratch[@]}" --show-bin-path)/ws-echo"
    write_wsload_source >"$TMP/wsload.c"
    gcc -O2 -Wall -o "$TMP/wsload" "$TMP/wsload.c"
}

# ws_command NAME PORT: how start_server starts that server (run.sh sets PORT for nio-websocket).
ws_command() {
    case $1 in
    ours) echo "env WS_PORT=$2 WS_BROADCAST=1 WORKERMAN_RUNTIME_DIR=$TMP $OURS_WS_BIN start" ;;
    swiftnio) echo "$NIO_WS_BIN" ;;
    esac
}

# ws_rounds MODE FIELD ARGS...: ROUNDS runs per server, alternating; prints each run, then the
# medians and the ratio ours/swiftnio of FIELD.
ws_rounds() {
    local mode=$1 metric=$2 round k name port out value
    shift 2
    local names=(ours swiftnio)
    declare -A values=()
    for round in $(seq "$ROUNDS"); do
        for k in 0 1; do
            name=${names[$(((k + round - 1) % 2))]}
            port=$(free_port)
            if ! start_server "$name" "$(ws_command "$name" "$port")" "$port"; then
                printf 'round %d  %-9s FAILED to start\n' "$round" "$name"
                values[$name]+=" 0"
                continue
            fi
            out=$(taskset -c "$LOADGEN_CPU" "$TMP/wsload" "$mode" 127.0.0.1 "$port" "$@") ||
                log "!! wsload failed against $name: $out"
            stop_server
            value=$(field "$metric" "$out")
            values[$name]+=" ${value:-0}"
            printf 'round %d  %-9s %s\n' "$round" "$name" "$out"
        done
    done
    echo "== $mode: medians of $ROUNDS =="
    declare -A med=()
    for name in "${names[@]}"; do
        # shellcheck disable=SC2086  # word splitting of the lists is intended
        med[$name]=$(median ${values[$name]})
        printf '%-9s %12.0f %s\n' "$name" "${med[$name]}" "$metric"
    done
    echo "ratio ours/swiftnio = $(ratio "${med[ours]}" "${med[swiftnio]}")"
    echo
}

suite_ws() {
    ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
    build_ws
    log "== ws echo: $CONNS connections x $INFLIGHT messages in flight, ${DURATION}s per run (+1s warmup) =="
    ws_rounds echo roundtrips_per_sec "$CONNS" "$INFLIGHT" "$DURATION"
    log "== ws fan-out: $SUBSCRIBERS subscribers, one broadcast in flight, ${DURATION}s per run (+1s warmup) =="
    ws_rounds fanout deliveries_per_sec "$SUBSCRIBERS" "$DURATION"
}

write_wsload_source() {
    cat <<'C'
// wsload: a WebSocket load generator (client frames masked with a zero key, which RFC 6455 allows).
//   wsload echo   HOST PORT CONNS INFLIGHT SECONDS   -> roundtrips_per_sec=... total_roundtrips=... errors=...
//   wsload fanout HOST PORT SUBSCRIBERS SECONDS      -> deliveries_per_sec=... broadcasts=... errors=...
// Both measure SECONDS after a one-second warmup.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

typedef struct { int fd; unsigned char buf[65536]; size_t len; } conn_t;

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static void die(const char *what) { perror(what); exit(1); }

static int connect_ws(const char *host, int port) {
    int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    if (fd < 0) die("socket");
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
    inet_pton(AF_INET, host, &a.sin_addr);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0) die("connect");
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    const char *req = "GET / HTTP/1.1\r\nHost: bench\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
    if (write(fd, req, strlen(req)) != (ssize_t)strlen(req)) die("write handshake");
    char head[4096];
    size_t n = 0;
    while (n < 4 || memcmp(head + n - 4, "\r\n\r\n", 4) != 0) {  // byte by byte: no frame follows yet
        if (n == sizeof head || read(fd, head + n, 1) != 1) die("read handshake");
        n++;
    }
    if (strncmp(head, "HTTP/1.1 101", 12) != 0) { fprintf(stderr, "handshake refused\n"); exit(1); }
    fcntl(fd, F_SETFL, O_NONBLOCK);
    return fd;
}

// Appends a masked (zero key) text frame of `len` bytes.
static size_t frame(unsigned char *out, const char *payload, size_t len) {
    out[0] = 0x81;
    out[1] = 0x80 | (unsigned char)len;  // len < 126
    memset(out + 2, 0, 4);
    memcpy(out + 6, payload, len);
    return 6 + len;
}

static void write_all(int fd, const unsigned char *p, size_t n) {
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && (errno == EAGAIN || errno == EINTR)) continue;
        if (w <= 0) die("write");
        p += w;
        n -= (size_t)w;
    }
}

// Reads what is there and counts the complete server frames; -1 at end of file or error.
static long read_frames(conn_t *c) {
    ssize_t r = read(c->fd, c->buf + c->len, sizeof c->buf - c->len);
    if (r < 0 && errno == EAGAIN) return 0;
    if (r <= 0) return -1;
    c->len += (size_t)r;
    long frames = 0;
    size_t at = 0;
    while (c->len - at >= 2) {
        size_t need = 2, plen = c->buf[at + 1] & 0x7f;
        if (plen == 126) {
            if (c->len - at < 4) break;
            plen = (size_t)c->buf[at + 2] << 8 | c->buf[at + 3];
            need = 4;
        } else if (plen == 127) {
            fprintf(stderr, "unexpected large frame\n");
            exit(1);
        }
        if (c->len - at < need + plen) break;
        at += need + plen;
        frames++;
    }
    memmove(c->buf, c->buf + at, c->len - at);
    c->len -= at;
    return frames;
}

static void raise_fd_limit(void) {
    struct rlimit l;
    getrlimit(RLIMIT_NOFILE, &l);
    l.rlim_cur = l.rlim_max;
    setrlimit(RLIMIT_NOFILE, &l);
}

static conn_t *open_all(const char *host, int port, int count, int ep) {
    conn_t *conns = calloc((size_t)count, sizeof *conns);
    if (!conns) die("calloc");
    for (int i = 0; i < count; i++) {
        conns[i].fd = connect_ws(host, port);
        struct epoll_event e = {.events = EPOLLIN, .data.ptr = &conns[i]};
        epoll_ctl(ep, EPOLL_CTL_ADD, conns[i].fd, &e);
    }
    return conns;
}

static int echo(const char *host, int port, int count, int inflight, double seconds) {
    int ep = epoll_create1(0), errors = 0;
    conn_t *conns = open_all(host, port, count, ep);
    unsigned char out[22 * 1024];
    size_t one = frame(out, "0123456789abcdef", 16);
    for (int k = 1; k < inflight && k < 1000; k++) memcpy(out + k * one, out, one);
    for (int i = 0; i < count; i++) write_all(conns[i].fd, out, one * (size_t)inflight);
    struct epoll_event events[256];
    double start = now(), measure = start + 1, end = measure + seconds;
    long total = 0;
    for (double t = start; t < end; t = now()) {
        int n = epoll_wait(ep, events, 256, 100);
        for (int i = 0; i < n; i++) {
            conn_t *c = events[i].data.ptr;
            long frames = read_frames(c);
            if (frames < 0) { errors++; epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL); continue; }
            if (frames == 0) continue;
            if (t >= measure) total += frames;
            for (long left = frames; left > 0; left -= 1000)
                write_all(c->fd, out, one * (size_t)(left < 1000 ? left : 1000));
        }
    }
    printf("roundtrips_per_sec=%.0f total_roundtrips=%ld errors=%d\n", total / seconds, total, errors);
    return errors ? 1 : 0;
}

static int fanout(const char *host, int port, int subscribers, double seconds) {
    int ep = epoll_create1(0), errors = 0;
    conn_t *conns = open_all(host, port, subscribers + 1, ep);  // the last one publishes (and receives)
    unsigned char msg[64];
    size_t len = frame(msg, "/broadcast 0123456789abcdef", 27);
    struct epoll_event events[1024];
    double start = now(), measure = start + 1, end = measure + seconds;
    long deliveries = 0, broadcasts = 0, expected = 0;
    for (double t = start; t < end; t = now()) {
        if (expected == 0) {
            write_all(conns[subscribers].fd, msg, len);
            expected = subscribers + 1;
            if (t >= measure) broadcasts++;
        }
        int n = epoll_wait(ep, events, 1024, 100);
        for (int i = 0; i < n; i++) {
            conn_t *c = events[i].data.ptr;
            long frames = read_frames(c);
            if (frames < 0) { errors++; epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL); expected--; continue; }
            expected -= frames;
            if (t >= measure) deliveries += frames;
        }
        if (expected < 0) expected = 0;
    }
    printf("deliveries_per_sec=%.0f broadcasts=%ld errors=%d\n", deliveries / seconds, broadcasts, errors);
    return errors ? 1 : 0;
}

int main(int argc, char **argv) {
    raise_fd_limit();
    if (argc == 7 && strcmp(argv[1], "echo") == 0)
        return echo(argv[2], atoi(argv[3]), atoi(argv[4]), atoi(argv[5]), atof(argv[6]));
    if (argc == 6 && strcmp(argv[1], "fanout") == 0)
        return fanout(argv[2], atoi(argv[3]), atoi(argv[4]), atof(argv[5]));
    fprintf(stderr, "usage: wsload echo HOST PORT CONNS INFLIGHT SECONDS | fanout HOST PORT SUBSCRIBERS SECONDS\n");
    return 2;
}
C
}
