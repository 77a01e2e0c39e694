// The Linux calls and macros that Glibc's Swift module leaves out. Everything here is declared by the
// system headers; this file only makes it reachable from Swift.
#ifndef CEPOLL_SHIM_H
#define CEPOLL_SHIM_H

#ifndef __linux__
#error "swift-workerman is Linux only (epoll): build it on Linux, or in a Linux container"
#endif

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <sys/uio.h>
#include <sys/resource.h>
#include <signal.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/file.h>
#include <spawn.h>
#include <malloc.h>

// pipe2 is a GNU extension too.
extern int pipe2(int fds[2], int flags);

// The environment array, replaceable (Swift imports `environ` read-only).
extern char **environ;
static inline void cepoll_set_environ(char **variables) { environ = variables; }

// accept4 is a GNU extension that Glibc's module was built without.
extern int accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags);

static inline int cepoll_sock_nonblock(void) { return 04000; }   // SOCK_NONBLOCK
static inline int cepoll_sock_cloexec(void) { return 02000000; } // SOCK_CLOEXEC

// C's stdout flushed at every newline, also when it is a file or a pipe (Swift 6 cannot touch the
// global `stdout` itself: it is shared mutable state).
#include <stdio.h>
static inline void cepoll_line_buffer_stdout(void) {
    fflush(stdout);
    setvbuf(stdout, NULL, _IOLBF, 0);
}

// Function-like macros do not import into Swift.
static inline int cepoll_wifexited(int status) { return WIFEXITED(status); }
static inline int cepoll_wexitstatus(int status) { return WEXITSTATUS(status); }
static inline int cepoll_wifsignaled(int status) { return WIFSIGNALED(status); }
static inline int cepoll_wtermsig(int status) { return WTERMSIG(status); }

// prctl is variadic, which Swift cannot call.
static inline int cepoll_set_process_name(const char *name) { return prctl(PR_SET_NAME, name, 0, 0, 0); }
static inline int cepoll_set_parent_death_signal(int signal) { return prctl(PR_SET_PDEATHSIG, signal, 0, 0, 0); }

// epoll_data is a union; these read and write its 64-bit member.
static inline unsigned long long cepoll_event_data(const struct epoll_event *event) { return event->data.u64; }
static inline void cepoll_set_event_data(struct epoll_event *event, unsigned long long data) { event->data.u64 = data; }

// malloc.h is not in Glibc's module. A fixed mmap threshold turns off glibc's dynamic one, which
// otherwise rises to the size of the largest block freed, so that later large buffers come from the
// heap and stay in the process after they are freed.
static inline int cepoll_set_mmap_threshold(int bytes) { return mallopt(M_MMAP_THRESHOLD, bytes); }

#endif
