import CWorkermanEpoll
import Glibc

/// Every system call WorkerCore makes, as thin wrappers: EINTR retried, EAGAIN returned as
/// `.wouldBlock`, other failures thrown as `SyscallError`. Nothing else in the library calls Glibc's
/// I/O functions directly.
package enum Sys {
    // MARK: descriptors

    /// Closes `fd`. EINTR is not retried: on Linux the descriptor is gone either way.
    package static func close(_ fd: Int32) {
        _ = Glibc.close(fd)
    }

    /// Reads into `buffer`; `.processed(0)` means end of file.
    @inline(__always)
    package static func read(_ fd: Int32, _ buffer: UnsafeMutableRawBufferPointer) throws(SyscallError) -> IOResult<Int>
    {
        try syscall("read", blocking: false) { Glibc.read(fd, buffer.baseAddress, buffer.count) }
    }

    /// Writes from `buffer`, possibly partially.
    @inline(__always)
    package static func write(_ fd: Int32, _ buffer: UnsafeRawBufferPointer) throws(SyscallError) -> IOResult<Int> {
        try syscall("write", blocking: false) { Glibc.write(fd, buffer.baseAddress, buffer.count) }
    }

    /// Sends without raising SIGPIPE when the peer is gone (the error comes back as EPIPE instead).
    @inline(__always)
    package static func send(_ fd: Int32, _ buffer: UnsafeRawBufferPointer) throws(SyscallError) -> IOResult<Int> {
        try syscall("send", blocking: false) { Glibc.send(fd, buffer.baseAddress, buffer.count, Int32(MSG_NOSIGNAL)) }
    }

    /// Gathers `count` buffers into one send (no SIGPIPE), possibly partially.
    @inline(__always)
    package static func sendVectored(_ fd: Int32, _ vectors: UnsafeMutablePointer<iovec>, count: Int)
        throws(SyscallError)
        -> IOResult<Int>
    {
        var message = msghdr()
        message.msg_iov = vectors
        message.msg_iovlen = count
        return try syscall("sendmsg", blocking: false) { Glibc.sendmsg(fd, &message, Int32(MSG_NOSIGNAL)) }
    }

    /// Sets `O_NONBLOCK` on `fd`.
    package static func setNonBlocking(_ fd: Int32) throws(SyscallError) {
        let flags = try syscallValue("fcntl") { fcntl(fd, F_GETFL) }
        _ = try syscallValue("fcntl") { fcntl(fd, F_SETFL, flags | O_NONBLOCK) }
    }

    /// Clears `FD_CLOEXEC` so that `fd` survives an exec (listening sockets handed to workers).
    package static func setInheritable(_ fd: Int32, _ inheritable: Bool) throws(SyscallError) {
        let flags = try syscallValue("fcntl") { fcntl(fd, F_GETFD) }
        let wanted = inheritable ? flags & ~FD_CLOEXEC : flags | FD_CLOEXEC
        _ = try syscallValue("fcntl") { fcntl(fd, F_SETFD, wanted) }
    }

    // MARK: sockets

    /// A new nonblocking, close-on-exec socket.
    package static func socket(domain: Int32, type: Int32, protocol: Int32 = 0) throws(SyscallError) -> Int32 {
        try syscallValue("socket") {
            Glibc.socket(domain, type | cepoll_sock_nonblock() | cepoll_sock_cloexec(), `protocol`)
        }
    }

    /// Sets an integer socket option.
    package static func setOption(_ fd: Int32, level: Int32, name: Int32, value: Int32) throws(SyscallError) {
        var value = value
        _ = try syscallValue("setsockopt") {
            setsockopt(fd, level, name, &value, socklen_t(MemoryLayout<Int32>.size))
        }
    }

    /// Reads an integer socket option.
    package static func option(_ fd: Int32, level: Int32, name: Int32) throws(SyscallError) -> Int32 {
        var value: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        _ = try syscallValue("getsockopt") { getsockopt(fd, level, name, &value, &length) }
        return value
    }

    /// Binds `fd` to `address`.
    package static func bind(_ fd: Int32, _ address: SocketAddress) throws(SyscallError) {
        _ = try address.withSockAddr { pointer, length throws(SyscallError) in
            try syscallValue("bind") { Glibc.bind(fd, pointer, length) }
        }
    }

    /// Starts listening on `fd`.
    package static func listen(_ fd: Int32, backlog: Int32) throws(SyscallError) {
        _ = try syscallValue("listen") { Glibc.listen(fd, backlog) }
    }

    /// Accepts one pending connection as a nonblocking, close-on-exec socket, with the peer's address.
    @inline(__always)
    package static func accept(_ fd: Int32) throws(SyscallError) -> IOResult<(Int32, SocketAddress)> {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let result = try withUnsafeMutablePointer(to: &storage) { pointer throws(SyscallError) in
            try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address throws(SyscallError) in
                try syscall("accept4", blocking: false) {
                    accept4(fd, address, &length, cepoll_sock_nonblock() | cepoll_sock_cloexec())
                }
            }
        }
        switch result {
        case .processed(let client): return .processed((client, SocketAddress(storage: storage, length: length)))
        case .wouldBlock: return .wouldBlock
        }
    }

    /// Starts a nonblocking connect: true when it completed at once, false when it is in progress.
    package static func connect(_ fd: Int32, to address: SocketAddress) throws(SyscallError) -> Bool {
        let result = address.withSockAddr { pointer, length in Glibc.connect(fd, pointer, length) }
        if result == 0 { return true }
        let code = Glibc.errno
        if code == EINPROGRESS || code == EINTR { return false }
        throw SyscallError("connect", errno: code)
    }

    /// The error a finished nonblocking connect left on `fd` (0 when it succeeded).
    package static func pendingError(_ fd: Int32) -> Int32 {
        (try? option(fd, level: SOL_SOCKET, name: SO_ERROR)) ?? EBADF
    }

    /// The local address `fd` is bound to.
    package static func localAddress(_ fd: Int32) -> SocketAddress? {
        socketName(fd) { getsockname($0, $1, $2) }
    }

    /// The address of `fd`'s peer.
    package static func remoteAddress(_ fd: Int32) -> SocketAddress? {
        socketName(fd) { getpeername($0, $1, $2) }
    }

    private static func socketName(
        _ fd: Int32, _ call: (Int32, UnsafeMutablePointer<sockaddr>, UnsafeMutablePointer<socklen_t>) -> Int32
    ) -> SocketAddress? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let result = withUnsafeMutablePointer(to: &storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { call(fd, $0, &length) }
        }
        return result == 0 ? SocketAddress(storage: storage, length: length) : nil
    }

    /// Shuts down the writing half of `fd` (sends FIN after what is queued in the kernel).
    package static func shutdownWrite(_ fd: Int32) {
        _ = Glibc.shutdown(fd, Int32(SHUT_WR))
    }

    /// Receives one datagram into `buffer`, with its sender.
    package static func receive(_ fd: Int32, _ buffer: UnsafeMutableRawBufferPointer) throws(SyscallError)
        -> IOResult<(Int, SocketAddress)>
    {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let result = try withUnsafeMutablePointer(to: &storage) { pointer throws(SyscallError) in
            try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address throws(SyscallError) in
                try syscall("recvfrom", blocking: false) {
                    recvfrom(fd, buffer.baseAddress, buffer.count, 0, address, &length)
                }
            }
        }
        switch result {
        case .processed(let count): return .processed((count, SocketAddress(storage: storage, length: length)))
        case .wouldBlock: return .wouldBlock
        }
    }

    /// Sends one datagram to `address` (or to the connected peer when nil).
    package static func send(_ fd: Int32, _ buffer: UnsafeRawBufferPointer, to address: SocketAddress?)
        throws(SyscallError)
        -> IOResult<Int>
    {
        guard let address else { return try send(fd, buffer) }
        return try address.withSockAddr { pointer, length throws(SyscallError) in
            try syscall("sendto", blocking: false) {
                sendto(fd, buffer.baseAddress, buffer.count, Int32(MSG_NOSIGNAL), pointer, length)
            }
        }
    }

    // MARK: epoll, eventfd, signalfd

    /// A new close-on-exec epoll instance.
    package static func epollCreate() throws(SyscallError) -> Int32 {
        try syscallValue("epoll_create1") { epoll_create1(Int32(EPOLL_CLOEXEC)) }
    }

    /// Adds, modifies or removes `fd` in the epoll set with `events` and `data`.
    package static func epollControl(_ epfd: Int32, _ operation: Int32, _ fd: Int32, events: UInt32, data: UInt64)
        throws(SyscallError)
    {
        var event = epoll_event()
        event.events = events
        cepoll_set_event_data(&event, data)
        _ = try syscallValue("epoll_ctl") { epoll_ctl(epfd, operation, fd, &event) }
    }

    /// Waits for events, at most `timeoutMilliseconds` (-1: no limit). EINTR counts as no events.
    @inline(__always)
    package static func epollWait(
        _ epfd: Int32, _ events: UnsafeMutablePointer<epoll_event>, capacity: Int32, timeoutMilliseconds: Int32
    )
        throws(SyscallError) -> Int
    {
        let count = epoll_wait(epfd, events, capacity, timeoutMilliseconds)
        if count >= 0 { return Int(count) }
        let code = Glibc.errno
        if code == EINTR { return 0 }
        throw SyscallError("epoll_wait", errno: code)
    }

    /// A new nonblocking, close-on-exec eventfd.
    package static func eventCounter() throws(SyscallError) -> Int32 {
        try syscallValue("eventfd") { eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC)) }
    }

    /// A nonblocking, close-on-exec signalfd for `mask` (new when `fd` is -1, else updated).
    package static func signalDescriptor(_ fd: Int32, mask: inout sigset_t) throws(SyscallError) -> Int32 {
        try syscallValue("signalfd") { signalfd(fd, &mask, Int32(SFD_NONBLOCK | SFD_CLOEXEC)) }
    }

    /// Blocks or unblocks `signals` for this thread, so that they queue for a signalfd.
    package static func setSignalsBlocked(_ signals: [Int32], _ blocked: Bool) {
        var set = sigset_t()
        sigemptyset(&set)
        for signal in signals { sigaddset(&set, signal) }
        pthread_sigmask(blocked ? SIG_BLOCK : SIG_UNBLOCK, &set, nil)
    }

    /// Ignores SIGPIPE for the whole process (writes to a closed peer then fail with EPIPE).
    package static func ignoreSIGPIPE() {
        signal(SIGPIPE, SIG_IGN)
    }

    // MARK: limits

    /// Raises the soft limit on open files to the hard limit; returns the limit now in force.
    @discardableResult
    package static func raiseOpenFileLimit() -> UInt64 {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 0 }
        if limit.rlim_cur < limit.rlim_max {
            var raised = limit
            raised.rlim_cur = limit.rlim_max
            if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) == 0 { return UInt64(raised.rlim_cur) }
        }
        return UInt64(limit.rlim_cur)
    }
}
