/*
 * loadgen: closed-loop load generator for newline-delimited echo servers.
 *
 *   loadgen HOST PORT CONNECTIONS INFLIGHT SECONDS
 *
 * Opens CONNECTIONS TCP connections; each keeps INFLIGHT copies of LINE
 * outstanding: it sends INFLIGHT lines up front and one more for every
 * complete "\n"-terminated line echoed back (one round trip). After a 1 s
 * warmup it measures for SECONDS and prints one line:
 *
 *   roundtrips_per_sec=<float> errors=<n> total_roundtrips=<n>
 *
 * (total_roundtrips counts warmup too; run.sh uses it for instructions/op.)
 * Single-threaded, epoll, non-blocking; tolerant of partial reads and writes.
 * Echoed bytes are checked against the expected stream; mismatches, resets
 * and early closes count as errors. Exit codes: 0 ok, 1 usage/connect
 * failure, 2 all connections died or no round trip at all, 3 watchdog fired.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static const char LINE[] = "hello world 0123456789\n"; /* 23 bytes */
#define LINE_LEN (sizeof(LINE) - 1)
#define WARMUP_SEC 1.0

/* A run of LINEs to send from; a connection never owes more than INFLIGHT
 * lines, so writes are taken from here at offset (bytes_sent % LINE_LEN). */
static char *sendbuf;
static size_t sendbuf_len;

struct conn {
    int fd;
    size_t owed;      /* bytes queued but not yet written */
    size_t sent_off;  /* position within LINE of the next byte to send */
    size_t recv_off;  /* position within LINE of the next byte expected */
    int want_out;     /* EPOLLOUT currently registered */
};

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void on_alarm(int sig) {
    (void)sig;
    static const char msg[] = "loadgen: watchdog timeout\n";
    (void)!write(2, msg, sizeof(msg) - 1);
    _exit(3);
}

/* Write as much of what the connection owes as the socket accepts.
 * Returns -1 on a fatal error. */
static int flush_conn(int ep, struct conn *c) {
    while (c->owed > 0) {
        size_t n = c->owed;
        if (n > sendbuf_len - c->sent_off) n = sendbuf_len - c->sent_off;
        ssize_t w = send(c->fd, sendbuf + c->sent_off, n, MSG_NOSIGNAL);
        if (w < 0) {
            if (errno == EINTR) continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) break;
            return -1;
        }
        c->owed -= (size_t)w;
        c->sent_off = (c->sent_off + (size_t)w) % LINE_LEN;
    }
    int want = c->owed > 0; /* only ask for EPOLLOUT while blocked */
    if (want != c->want_out) {
        struct epoll_event ev = {.events = EPOLLIN | (want ? EPOLLOUT : 0), .data.ptr = c};
        if (epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev) < 0) return -1;
        c->want_out = want;
    }
    return 0;
}

int main(int argc, char **argv) {
    if (argc != 6) {
        fprintf(stderr, "usage: %s HOST PORT CONNECTIONS INFLIGHT SECONDS\n", argv[0]);
        return 1;
    }
    const char *host = argv[1], *port = argv[2];
    int nconn = atoi(argv[3]), inflight = atoi(argv[4]);
    double seconds = atof(argv[5]);
    if (nconn <= 0 || inflight <= 0 || seconds <= 0) {
        fprintf(stderr, "loadgen: bad arguments\n");
        return 1;
    }

    /* Hard bound on total run time, whatever the server does. */
    signal(SIGALRM, on_alarm);
    alarm((unsigned)(WARMUP_SEC + seconds) + 15);

    sendbuf_len = LINE_LEN * ((size_t)inflight + 1);
    sendbuf = malloc(sendbuf_len);
    for (size_t i = 0; i < sendbuf_len; i += LINE_LEN) memcpy(sendbuf + i, LINE, LINE_LEN);

    struct addrinfo hints = {.ai_family = AF_INET, .ai_socktype = SOCK_STREAM}, *ai;
    int gai = getaddrinfo(host, port, &hints, &ai);
    if (gai != 0) {
        fprintf(stderr, "loadgen: %s: %s\n", host, gai_strerror(gai));
        return 1;
    }

    int ep = epoll_create1(0);
    struct conn *conns = calloc((size_t)nconn, sizeof *conns);
    for (int i = 0; i < nconn; i++) {
        /* Blocking connect (loopback: immediate or refused), then non-blocking I/O. */
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        if (fd < 0 || connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
            fprintf(stderr, "loadgen: connect %s:%s (#%d): %s\n", host, port, i, strerror(errno));
            return 1;
        }
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
        struct conn *c = &conns[i];
        c->fd = fd;
        struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
        epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
        c->owed = (size_t)inflight * LINE_LEN; /* the initial window */
    }
    freeaddrinfo(ai);

    int alive = nconn;
    long long errors = 0, roundtrips = 0, rt_at_start = 0;
    for (int i = 0; i < nconn; i++)
        if (flush_conn(ep, &conns[i]) < 0) { errors++; close(conns[i].fd); conns[i].fd = -1; alive--; }

    double t0 = now(), t_start = t0 + WARMUP_SEC, t_end = t_start + seconds, t_meas = 0;
    int measuring = 0;
    static char rbuf[65536];
    struct epoll_event evs[256];

    while (alive > 0) {
        double t = now();
        if (!measuring && t >= t_start) { measuring = 1; rt_at_start = roundtrips; t_meas = t; }
        if (t >= t_end) break;
        int n = epoll_wait(ep, evs, 256, 10); /* short timeout so the clock is checked */
        if (n < 0 && errno != EINTR) { perror("epoll_wait"); return 1; }
        for (int k = 0; k < n; k++) {
            struct conn *c = evs[k].data.ptr;
            if (c->fd < 0) continue;
            int dead = 0;
            if (evs[k].events & (EPOLLIN | EPOLLERR | EPOLLHUP)) {
                ssize_t r = recv(c->fd, rbuf, sizeof rbuf, 0);
                if (r > 0) {
                    /* Verify the echo byte by byte; each "\n" completes one round trip. */
                    long long lines = 0;
                    for (ssize_t j = 0; j < r; j++) {
                        if (rbuf[j] != LINE[c->recv_off]) { errors++; dead = 1; break; }
                        if (++c->recv_off == LINE_LEN) { c->recv_off = 0; lines++; }
                    }
                    roundtrips += lines;
                    c->owed += (size_t)lines * LINE_LEN; /* refill the window */
                } else if (r == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
                    errors++; dead = 1; /* peer closed or reset */
                }
            }
            if (!dead && flush_conn(ep, c) < 0) { errors++; dead = 1; }
            if (dead) { close(c->fd); c->fd = -1; alive--; }
        }
    }

    double t_done = now();
    if (!measuring) { t_meas = t_start; rt_at_start = roundtrips; } /* died during warmup */
    double elapsed = t_done - t_meas;
    double rate = elapsed > 0 ? (double)(roundtrips - rt_at_start) / elapsed : 0;
    printf("roundtrips_per_sec=%.0f errors=%lld total_roundtrips=%lld\n", rate, errors, roundtrips);
    fflush(stdout);
    for (int i = 0; i < nconn; i++) if (conns[i].fd >= 0) close(conns[i].fd);
    return (alive > 0 && roundtrips > 0) ? 0 : 2;
}
