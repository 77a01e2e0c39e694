import Glibc
import WorkermanTimer

/// A Worker's listening socket, watched by the loop while the Worker accepts.
protocol Listener: AnyObject {
    var fd: Int32 { get }
    var localAddress: SocketAddress? { get }
    func pauseAccept()
    func resumeAccept()
}

/// Opens listening sockets: binds in the calling process and reports errors in one line.
enum ListenSocket {
    /// A bound, listening (for streams) nonblocking socket for `worker`'s address.
    static func open(for worker: Worker) throws(WorkerError) -> (Int32, SocketAddress) {
        guard let address = worker.address else { throw WorkerError("\(worker.name) has no address to listen on") }
        let datagram = worker.transport == "udp"
        let socketAddress: SocketAddress
        if let path = address.path {
            guard let unix = SocketAddress(unixPath: path) else {
                throw WorkerError("unix socket path too long: \(path)")
            }
            removeStaleUnixSocket(path)
            socketAddress = unix
        } else {
            do {
                socketAddress = try SocketAddress.resolve(
                    host: address.host, port: worker.listenPort ?? address.port, datagram: datagram)
            } catch {
                throw WorkerError("cannot listen on \(address): \(error)")
            }
        }
        let type = datagram ? Int32(SOCK_DGRAM.rawValue) : Int32(SOCK_STREAM.rawValue)
        do throws(SyscallError) {
            let fd = try Sys.socket(domain: socketAddress.family, type: type)
            do {
                try configure(fd, family: socketAddress.family, datagram: datagram, reusePort: worker.reusePort)
                try Sys.bind(fd, socketAddress)
                if !datagram { try Sys.listen(fd, backlog: worker.backlog) }
            } catch {
                Sys.close(fd)
                throw error
            }
            return (fd, socketAddress)
        } catch {
            throw WorkerError("cannot listen on \(address): \(error.reason)")
        }
    }

    private static func configure(_ fd: Int32, family: Int32, datagram: Bool, reusePort: Bool) throws(SyscallError) {
        if family != AF_UNIX {
            try Sys.setOption(fd, level: SOL_SOCKET, name: SO_REUSEADDR, value: 1)
            if reusePort { try Sys.setOption(fd, level: SOL_SOCKET, name: SO_REUSEPORT, value: 1) }
            if family == AF_INET6 { try Sys.setOption(fd, level: Int32(IPPROTO_IPV6), name: IPV6_V6ONLY, value: 0) }
            if !datagram {
                // Inherited by accepted sockets: small replies go out at once; dead peers are found.
                try Sys.setOption(fd, level: Int32(IPPROTO_TCP), name: TCP_NODELAY, value: 1)
                try Sys.setOption(fd, level: SOL_SOCKET, name: SO_KEEPALIVE, value: 1)
            }
        }
    }

    /// A socket file left by a process that died is removed; a live one (something accepts on it)
    /// is left for bind to report as in use.
    private static func removeStaleUnixSocket(_ path: String) {
        var info = stat()
        guard stat(path, &info) == 0, info.st_mode & S_IFMT == S_IFSOCK, let address = SocketAddress(unixPath: path)
        else {
            return
        }
        let probe = Glibc.socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        defer { Glibc.close(probe) }
        let refused = address.withSockAddr { Glibc.connect(probe, $0, $1) } != 0 && errno == ECONNREFUSED
        if refused { unlink(path) }
    }
}

/// Accepts stream connections (TCP or unix) for a Worker.
final class StreamListener: Listener, EventHandler {
    let fd: Int32
    let localAddress: SocketAddress?
    private unowned let worker: Worker
    private let loop = EventLoop.current
    /// True while the Worker wants connections (between `resumeAccept` and `pauseAccept`).
    private var isAccepting = false
    /// True while the loop watches the socket: accepting, and not held back by `balance`.
    private var isWatching = false
    private var reportedFullTable = false
    /// Set when the socket is shared by the Worker's processes: spreads connections over them.
    var balance: AcceptBalance? {
        didSet {
            watchKicks()
            if isAccepting { balance?.publish(worker.connections.count) }
        }
    }
    private var kickWatcher: KickWatcher?
    private var recheckTimer: TimerID?
    /// Checks in a row that found connections waiting while this process held back.
    private var waitingChecks = 0

    init(fd: Int32, worker: Worker) {
        self.fd = fd
        self.worker = worker
        localAddress = Sys.localAddress(fd)
    }

    func resumeAccept() {
        guard !isAccepting else { return }
        isAccepting = true
        balance?.publish(worker.connections.count)
        watchKicks()
        watch()
    }

    func pauseAccept() {
        guard isAccepting else { return }
        isAccepting = false
        balance?.withdraw()
        unwatch()
        if let kickWatcher { loop.deregister(kickWatcher.fd) }
        kickWatcher = nil
        cancelRecheck()
    }

    private func watch() {
        guard isAccepting, !isWatching else { return }
        isWatching = true
        do {
            // Shared by every process of the Worker: wake one of them per connection, not all.
            try loop.register(fd, self, interest: .read, exclusive: true)
        } catch {
            isWatching = false
            Log.write("cannot watch the listening socket of \(worker.name): \(error)")
        }
    }

    private func unwatch() {
        guard isWatching else { return }
        isWatching = false
        loop.deregister(fd)
    }

    func handleReadable() {
        // A shared socket wakes the first idle process in its queue of waiters: a process that
        // accepted takes that one connection and steps to the back of the queue (registering again
        // puts it there), so that connections made one after another go round the processes.
        let batch = balance == nil ? 64 : 1
        var accepted = 0
        for _ in 0..<batch {
            guard isWatching else { return }
            let connection: (Int32, SocketAddress)
            do {
                guard case .processed(let pair) = try Sys.accept(fd) else { return }  // another process took it
                connection = pair
            } catch {
                if error.errno == EMFILE || error.errno == ENFILE { backOff(error) }
                return
            }
            worker.adopt(socket: connection.0, remote: connection.1)
            accepted += 1
        }
        guard let balance, accepted > 0, isWatching else { return }
        let held = worker.connections.count
        balance.publish(held)
        unwatch()
        if balance.isAhead(held) {
            balance.kick()  // the others may sleep through connections that wait: look again
            scheduleRecheck()
        } else {
            watch()
        }
    }

    /// Another process stopped accepting with connections waiting: take some if this one may.
    fileprivate func handleKick() {
        guard isAccepting, !isWatching, let balance, !balance.isAhead(worker.connections.count) else { return }
        cancelRecheck()
        watch()
    }

    /// While held back: every 10 ms publish the count again and accept when no longer ahead, or
    /// when connections have waited for two checks in a row (the others are stopped or blocked).
    private func scheduleRecheck() {
        guard recheckTimer == nil else { return }
        recheckTimer = Timer.add(0.01) { [weak self] in self?.recheck() }
    }

    private func recheck() {
        guard isAccepting, !isWatching, let balance else { return cancelRecheck() }
        let held = worker.connections.count
        balance.publish(held)
        var pending = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        waitingChecks = poll(&pending, 1, 0) == 1 ? waitingChecks + 1 : 0
        if !balance.isAhead(held) || waitingChecks >= 2 {
            cancelRecheck()
            watch()
        }
    }

    private func cancelRecheck() {
        waitingChecks = 0
        guard let recheckTimer else { return }
        _ = Timer.del(recheckTimer)
        self.recheckTimer = nil
    }

    private func watchKicks() {
        guard isAccepting, kickWatcher == nil, let balance else { return }
        let watcher = KickWatcher(fd: balance.kickFD, listener: self)
        do {
            try loop.register(watcher.fd, watcher, interest: .read, edgeTriggered: true)
            kickWatcher = watcher
        } catch {
            Log.write("cannot watch the accept kicks of \(worker.name): \(error)")
        }
    }

    /// Out of descriptors: stop accepting for a moment instead of spinning on the pending connection.
    private func backOff(_ error: SyscallError) {
        if !reportedFullTable {
            reportedFullTable = true
            Log.write("\(worker.name): accept failed (\(error.reason)); raise the open-file limit (ulimit -n)")
        }
        pauseAccept()
        Timer.add(0.1, persistent: false) { [weak self] in self?.resumeAccept() }
    }
}

/// Watches a Worker's kick counter for its listener (edge-triggered: it is never read).
private final class KickWatcher: EventHandler {
    let fd: Int32
    private unowned let listener: StreamListener

    init(fd: Int32, listener: StreamListener) {
        self.fd = fd
        self.listener = listener
    }

    func handleReadable() { listener.handleKick() }
}

/// Receives datagrams for a `udp://` Worker.
final class DatagramListener: Listener, EventHandler {
    let fd: Int32
    let localAddress: SocketAddress?
    private unowned let worker: Worker
    private let loop = EventLoop.current
    private var isReceiving = false

    init(fd: Int32, worker: Worker) {
        self.fd = fd
        self.worker = worker
        localAddress = Sys.localAddress(fd)
    }

    func resumeAccept() {
        guard !isReceiving else { return }
        isReceiving = true
        try? loop.register(fd, self, interest: .read)
    }

    func pauseAccept() {
        guard isReceiving else { return }
        isReceiving = false
        loop.deregister(fd)
    }

    func handleReadable() {
        let shared = loop.readBuffer
        for _ in 0..<64 {
            guard isReceiving, case .processed(let (count, sender)) = (try? Sys.receive(fd, shared)) ?? .wouldBlock
            else {
                return
            }
            let connection = UdpConnection(socket: fd, peer: sender, protocol: worker.protocol)
            connection.worker = worker
            let onDatagram = worker.onDatagram
            connection.deliverDatagram(ByteView(UnsafeRawBufferPointer(rebasing: shared[0..<count]))) { message in
                onDatagram?(connection, message)
            }
        }
    }
}
