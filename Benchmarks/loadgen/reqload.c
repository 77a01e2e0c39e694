/*
 * reqload: a fixed-size load for counting a server's instructions per request (Benchmarks/suites/table.sh).
 * Unlike loadgen (which runs for a time), it sends an exact number of requests and waits for every
 * answer, so that a count of instructions taken before and after divides by an exact figure.
 *
 *   reqload count  MODE HOST PORT CONNS INFLIGHT PER_CONN
 *       opens CONNS connections and warms them up (PER_CONN/4 requests each), prints "warm" and waits
 *       for a line on its standard input; then each connection sends PER_CONN requests, INFLIGHT at a
 *       time (pipelined), and waits for all answers; prints "requests=N errors=E seconds=S" and keeps
 *       the connections open until its standard input closes (so that a count taken in between holds
 *       no connection set-up or tear-down).
 *   reqload idle   MODE HOST PORT CONNS
 *       opens CONNS connections one after another, one exchange on each, prints "ready=N", then keeps
 *       them open until its standard input closes.
 *   reqload fanout HOST PORT SUBSCRIBERS BROADCASTS
 *       SUBSCRIBERS+1 websocket connections; the last sends "/broadcast <32 bytes>", one at a time, each
 *       after every connection got the previous one: 2 times, then "warm" and a line read from standard
 *       input as above, then BROADCASTS times; prints "deliveries=N errors=E", then waits for the end of
 *       its standard input.
 *
 * MODE: http (GET / HTTP/1.1, answers framed by Content-Length), line ("hello world 0123456789\n",
 * answers counted by "\n"), ws (masked 32-byte text frames after the upgrade, answers counted as frames).
 * Single-threaded epoll, non-blocking after connect. Exit 0 when every answer came, 1 otherwise.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

enum mode { HTTP, LINE, WS };

#define INBUF 16384
struct conn {
    int fd;
    long sent, answered, target;
    size_t len;
    unsigned char in[INBUF];
};

static const char HTTP_REQ[] = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
static const char LINE_REQ[] = "hello world 0123456789\n";
static unsigned char ws_req[64];
static size_t ws_req_len;

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static void die(const char *what) {
    perror(what);
    exit(1);
}

static void on_alarm(int sig) {
    (void)sig;
    static const char msg[] = "reqload: watchdog timeout\n";
    (void)!write(2, msg, sizeof msg - 1);
    _exit(3);
}

/* A masked text frame (key 0x37fa213d) of `len` < 126 bytes. */
static size_t ws_frame(unsigned char *out, const char *payload, size_t len) {
    static const unsigned char key[4] = {0x37, 0xfa, 0x21, 0x3d};
    out[0] = 0x81;
    out[1] = 0x80 | (unsigned char)len;
    memcpy(out + 2, key, 4);
    for (size_t i = 0; i < len; i++) out[6 + i] = (unsigned char)payload[i] ^ key[i % 4];
    return 6 + len;
}

static void write_all(int fd, const void *data, size_t n) {
    const char *p = data;
    while (n > 0) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0 && (errno == EAGAIN || errno == EINTR)) continue;
        if (w <= 0) die("send");
        p += w;
        n -= (size_t)w;
    }
}

static int open_conn(const char *host, int port, enum mode mode) {
    int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    if (fd < 0) die("socket");
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port)};
    inet_pton(AF_INET, host, &a.sin_addr);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0) die("connect");
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct timeval limit = {.tv_sec = 10};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit); /* a handshake that never comes fails */
    if (mode == WS) {
        const char *req = "GET / HTTP/1.1\r\nHost: bench\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                          "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
        write_all(fd, req, strlen(req));
        char head[4096];
        size_t n = 0;
        while (n < 4 || memcmp(head + n - 4, "\r\n\r\n", 4) != 0) { /* byte by byte: no frame follows yet */
            if (n == sizeof head || read(fd, head + n, 1) != 1) die("read handshake");
            n++;
        }
        if (strncmp(head, "HTTP/1.1 101", 12) != 0) {
            fprintf(stderr, "reqload: websocket handshake refused\n");
            exit(1);
        }
    }
    return fd;
}

static void send_requests(struct conn *c, enum mode mode, long n) {
    static char batch[64 * 128];
    const void *one = mode == HTTP ? (const void *)HTTP_REQ : mode == LINE ? (const void *)LINE_REQ : ws_req;
    size_t len = mode == HTTP ? sizeof HTTP_REQ - 1 : mode == LINE ? sizeof LINE_REQ - 1 : ws_req_len;
    while (n > 0) {
        long k = n < 64 ? n : 64;
        for (long i = 0; i < k; i++) memcpy(batch + (size_t)i * len, one, len);
        write_all(c->fd, batch, (size_t)k * len);
        c->sent += k;
        n -= k;
    }
}

/* Complete answers at the start of the connection's buffer, consumed; -1 on a malformed answer. */
static long take_answers(struct conn *c, enum mode mode) {
    long count = 0;
    size_t at = 0;
    for (;;) {
        size_t left = c->len - at;
        unsigned char *p = c->in + at;
        if (mode == LINE) {
            unsigned char *nl = memchr(p, '\n', left);
            if (!nl) break;
            at += (size_t)(nl - p) + 1;
        } else if (mode == HTTP) {
            unsigned char *end = memmem(p, left, "\r\n\r\n", 4);
            if (!end) break;
            size_t head = (size_t)(end - p) + 4, body = 0;
            for (unsigned char *q = p; q + 15 < end; q++) {
                if ((q == p || q[-1] == '\n') && strncasecmp((char *)q, "content-length:", 15) == 0) {
                    body = (size_t)strtoul((char *)q + 15, NULL, 10);
                    break;
                }
            }
            if (left < head + body) break;
            at += head + body;
        } else {
            if (left < 2) break;
            size_t need = 2, plen = p[1] & 0x7f;
            if (plen == 126) {
                if (left < 4) break;
                plen = (size_t)p[2] << 8 | p[3];
                need = 4;
            } else if (plen == 127) {
                return -1;
            }
            if (left < need + plen) break;
            at += need + plen;
        }
        count++;
    }
    memmove(c->in, c->in + at, c->len - at);
    c->len -= at;
    return count;
}

/* Reads what is there; the number of complete answers, or -1 at end of file, error or overflow. */
static long read_answers(struct conn *c, enum mode mode) {
    if (c->len == INBUF) return -1;
    ssize_t r = recv(c->fd, c->in + c->len, INBUF - c->len, 0);
    if (r < 0 && (errno == EAGAIN || errno == EINTR)) return 0;
    if (r <= 0) return -1;
    c->len += (size_t)r;
    return take_answers(c, mode);
}

static struct conn *open_all(const char *host, int port, enum mode mode, int count, int ep) {
    struct conn *conns = calloc((size_t)count, sizeof *conns);
    if (!conns) die("calloc");
    for (int i = 0; i < count; i++) {
        conns[i].fd = open_conn(host, port, mode);
        fcntl(conns[i].fd, F_SETFL, O_NONBLOCK);
        struct epoll_event e = {.events = EPOLLIN, .data.ptr = &conns[i]};
        if (epoll_ctl(ep, EPOLL_CTL_ADD, conns[i].fd, &e) < 0) die("epoll_ctl");
    }
    return conns;
}

/* Says "warm" and waits for a line on standard input (the caller takes its first count then); an
 * input that is closed or /dev/null goes on at once. */
static void pause_for_go(void) {
    printf("warm\n");
    fflush(stdout);
    char b[64];
    (void)!fgets(b, sizeof b, stdin);
}

/* Keeps the connections open until standard input closes. */
static void hold_until_eof(void) {
    fflush(stdout);
    char b[64];
    while (read(0, b, sizeof b) > 0) {
    }
}

/* Every connection sends `per_conn` requests, `inflight` at a time, and gets every answer. */
static void exchange(struct conn *conns, int nconn, int ep, enum mode mode, int inflight, long per_conn,
                     long *total, long *errors) {
    int alive = nconn;
    for (int i = 0; i < nconn; i++) {
        if (conns[i].fd < 0) {
            alive--;
            continue;
        }
        conns[i].sent = conns[i].answered = 0;
        conns[i].target = per_conn;
        struct epoll_event e = {.events = EPOLLIN, .data.ptr = &conns[i]};
        epoll_ctl(ep, EPOLL_CTL_ADD, conns[i].fd, &e);
        send_requests(&conns[i], mode, inflight < per_conn ? inflight : per_conn);
    }
    struct epoll_event events[256];
    while (alive > 0) {
        int n = epoll_wait(ep, events, 256, 1000);
        for (int i = 0; i < n; i++) {
            struct conn *c = events[i].data.ptr;
            long got = read_answers(c, mode);
            if (got < 0) {
                (*errors)++;
                alive--;
                epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
                c->fd = -1;
                continue;
            }
            c->answered += got;
            *total += got;
            long more = c->target - c->sent;
            if (more > got) more = got;
            if (more > 0) send_requests(c, mode, more);
            if (c->answered >= c->target) {
                alive--;
                epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
            }
        }
    }
}

static int run_count(enum mode mode, const char *host, int port, int nconn, int inflight, long per_conn) {
    int ep = epoll_create1(0);
    struct conn *conns = open_all(host, port, mode, nconn, ep);
    long total = 0, errors = 0;
    for (int i = 0; i < nconn; i++) epoll_ctl(ep, EPOLL_CTL_DEL, conns[i].fd, NULL);
    exchange(conns, nconn, ep, mode, inflight, per_conn / 4 > 0 ? per_conn / 4 : 1, &total, &errors);
    pause_for_go();
    total = 0;
    double start = now();
    exchange(conns, nconn, ep, mode, inflight, per_conn, &total, &errors);
    printf("requests=%ld errors=%ld seconds=%.3f\n", total, errors, now() - start);
    hold_until_eof();
    return errors ? 1 : 0;
}

static int run_idle(enum mode mode, const char *host, int port, int nconn) {
    int ep = epoll_create1(0);
    struct conn *conns = open_all(host, port, mode, nconn, ep);
    long errors = 0;
    for (int i = 0; i < nconn; i++) {
        struct conn *c = &conns[i];
        send_requests(c, mode, 1);
        double deadline = now() + 10;
        while (c->answered < 1 && now() < deadline) {
            long got = read_answers(c, mode);
            if (got < 0) break;
            c->answered += got;
        }
        if (c->answered < 1) errors++;
    }
    printf("ready=%d errors=%ld\n", nconn, errors);
    hold_until_eof();
    return errors ? 1 : 0;
}

/* `broadcasts` broadcasts, one at a time; adds to *deliveries and *errors; -1 when it stalled. */
static int broadcast(struct conn *conns, int subscribers, int ep, long broadcasts, long *deliveries, long *errors) {
    int total_conns = subscribers + 1;
    unsigned char msg[64];
    size_t len = ws_frame(msg, "/broadcast 0123456789abcdef0123456789abcdef", 43);
    long expected = 0, done = 0;
    struct epoll_event events[1024];
    while (done < broadcasts || expected > 0) {
        if (expected == 0) {
            write_all(conns[subscribers].fd, msg, len);
            expected = total_conns;
            done++;
        }
        int n = epoll_wait(ep, events, 1024, 30000);
        if (n == 0) {
            fprintf(stderr, "reqload: fan-out stalled with %ld deliveries missing\n", expected);
            return -1;
        }
        for (int i = 0; i < n; i++) {
            struct conn *c = events[i].data.ptr;
            long got = read_answers(c, WS);
            if (got < 0) {
                (*errors)++;
                epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
                expected--;
                continue;
            }
            expected -= got;
            *deliveries += got;
        }
        if (expected < 0) expected = 0;
    }
    return 0;
}

static int run_fanout(const char *host, int port, int subscribers, long broadcasts) {
    int ep = epoll_create1(0);
    struct conn *conns = open_all(host, port, WS, subscribers + 1, ep);
    long deliveries = 0, errors = 0;
    if (broadcast(conns, subscribers, ep, 2, &deliveries, &errors) < 0) return 1;
    pause_for_go();
    deliveries = 0;
    if (broadcast(conns, subscribers, ep, broadcasts, &deliveries, &errors) < 0) return 1;
    printf("deliveries=%ld errors=%ld\n", deliveries, errors);
    hold_until_eof();
    return errors ? 1 : 0;
}

static enum mode parse_mode(const char *s) {
    if (strcmp(s, "http") == 0) return HTTP;
    if (strcmp(s, "line") == 0) return LINE;
    if (strcmp(s, "ws") == 0) return WS;
    fprintf(stderr, "reqload: unknown mode %s (http, line, ws)\n", s);
    exit(2);
}

int main(int argc, char **argv) {
    struct rlimit l;
    getrlimit(RLIMIT_NOFILE, &l);
    l.rlim_cur = l.rlim_max;
    setrlimit(RLIMIT_NOFILE, &l);
    signal(SIGPIPE, SIG_IGN);
    ws_req_len = ws_frame(ws_req, "0123456789abcdef0123456789abcdef", 32);
    if (argc == 8 && strcmp(argv[1], "count") == 0) {
        signal(SIGALRM, on_alarm);
        alarm(600);
        return run_count(parse_mode(argv[2]), argv[3], atoi(argv[4]), atoi(argv[5]), atoi(argv[6]), atol(argv[7]));
    }
    if (argc == 6 && strcmp(argv[1], "idle") == 0) return run_idle(parse_mode(argv[2]), argv[3], atoi(argv[4]), atoi(argv[5]));
    if (argc == 6 && strcmp(argv[1], "fanout") == 0) {
        signal(SIGALRM, on_alarm);
        alarm(600);
        return run_fanout(argv[2], atoi(argv[3]), atoi(argv[4]), atol(argv[5]));
    }
    fprintf(stderr,
            "usage: reqload count MODE HOST PORT CONNS INFLIGHT PER_CONN | idle MODE HOST PORT CONNS |"
            " fanout HOST PORT SUBSCRIBERS BROADCASTS\n");
    return 2;
}
