/*
 * c_echo: minimal single-threaded epoll line-echo server (the "C anchor").
 * Same protocol as nio-line-echo / text-echo: each "\n"-terminated line is
 * echoed with a trailing "\r" stripped and "\n" appended. Listens on
 * 127.0.0.1:$PORT (default 5680) and prints "listening on PORT".
 * Also usable as a stand-in for our server: OURS_CMD=loadgen/c_echo.
 * With C_HTTP=1 it is the C anchor of the HTTP benchmarks instead: every request head ("\r\n\r\n"-
 * terminated, no body) gets a fixed 200 "Hello, World!" text/plain answer.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define BUF 65536

static int http_mode;
static const char HTTP_ANSWER[] =
    "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n\r\nHello, World!";

struct conn {
    int fd;
    size_t in_len;         /* bytes of an incomplete line kept in `in` */
    size_t out_off, out_len; /* pending output not yet accepted by the socket */
    int want_out;
    char in[BUF], out[2 * BUF];
};

static void drop(struct conn *c) { close(c->fd); free(c); }

/* Try to write pending output; register EPOLLOUT only while blocked. */
static int flush_out(int ep, struct conn *c) {
    while (c->out_off < c->out_len) {
        ssize_t w = send(c->fd, c->out + c->out_off, c->out_len - c->out_off, MSG_NOSIGNAL);
        if (w < 0) {
            if (errno == EINTR) continue;
            if (errno == EAGAIN) break;
            return -1;
        }
        c->out_off += (size_t)w;
    }
    if (c->out_off == c->out_len) c->out_off = c->out_len = 0;
    int want = c->out_len > 0;
    if (want != c->want_out) {
        /* While output is blocked, stop reading (backpressure). */
        struct epoll_event ev = {.events = want ? EPOLLOUT : EPOLLIN, .data.ptr = c};
        if (epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev) < 0) return -1;
        c->want_out = want;
    }
    return 0;
}

/* Read once, move complete lines to the output buffer, write. -1 = close. */
static int on_readable(int ep, struct conn *c) {
    ssize_t r = recv(c->fd, c->in + c->in_len, BUF - c->in_len, 0);
    if (r == 0) return -1;
    if (r < 0) return (errno == EAGAIN || errno == EINTR) ? 0 : -1;
    c->in_len += (size_t)r;
    char *p = c->in, *end = c->in + c->in_len, *nl;
    while (http_mode && (nl = memmem(p, (size_t)(end - p), "\r\n\r\n", 4)) != NULL) {
        if (c->out_len + sizeof HTTP_ANSWER > 2 * BUF) break; /* the rest after this burst is written */
        memcpy(c->out + c->out_len, HTTP_ANSWER, sizeof HTTP_ANSWER - 1);
        c->out_len += sizeof HTTP_ANSWER - 1;
        p = nl + 4;
    }
    while (!http_mode && (nl = memchr(p, '\n', (size_t)(end - p))) != NULL) {
        size_t len = (size_t)(nl - p);
        if (len > 0 && p[len - 1] == '\r') len--;
        memcpy(c->out + c->out_len, p, len); /* fits: out is 2*BUF and drained before reading */
        c->out_len += len;
        c->out[c->out_len++] = '\n';
        p = nl + 1;
    }
    c->in_len = (size_t)(end - p);
    if (c->in_len == BUF) return -1; /* line longer than the buffer */
    memmove(c->in, p, c->in_len);
    return flush_out(ep, c);
}

int main(void) {
    const char *ps = getenv("PORT");
    int port = ps ? atoi(ps) : 5680;
    http_mode = getenv("C_HTTP") != NULL;
    int lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0), one = 1;
    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    if (bind(lfd, (struct sockaddr *)&a, sizeof a) < 0 || listen(lfd, 1024) < 0) {
        perror("c_echo: bind/listen");
        return 1;
    }
    printf("listening on %d\n", port);
    fflush(stdout);

    int ep = epoll_create1(0);
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = NULL}, evs[256]; /* NULL = listener */
    epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev);
    for (;;) {
        int n = epoll_wait(ep, evs, 256, -1);
        for (int k = 0; k < n; k++) {
            struct conn *c = evs[k].data.ptr;
            if (c == NULL) { /* accept everything pending */
                int fd;
                while ((fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
                    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                    c = calloc(1, sizeof *c);
                    c->fd = fd;
                    struct epoll_event cev = {.events = EPOLLIN, .data.ptr = c};
                    epoll_ctl(ep, EPOLL_CTL_ADD, fd, &cev);
                }
                continue;
            }
            int rc = 0;
            if (evs[k].events & (EPOLLERR | EPOLLHUP) && !(evs[k].events & EPOLLIN)) rc = -1;
            else if (c->want_out) rc = flush_out(ep, c);
            else rc = on_readable(ep, c);
            if (rc < 0) drop(c);
        }
    }
}
