import Glibc
import WorkermanTimer

/// An outgoing connection: Workerman's `AsyncTcpConnection`.
///
/// ```swift
/// let connection = try AsyncTcpConnection("text://127.0.0.1:5678")
/// connection.onConnect = { $0.send("hello") }
/// connection.onMessage = { _, data in print(data) }
/// connection.onClose = { $0.reconnect(after: 1) }   // an AsyncTcpConnection: no cast
/// connection.connect()
/// ```
/// `connect()` returns at once; `onConnect` runs when the connection is made, or
/// `onError(.connectFail, reason)` then `onClose` when it cannot be. Sends made before it connects
/// are queued and delivered once it does. A connect (and, for TLS, its handshake) that takes longer
/// than `connectTimeout` fails the same way. The scheme picks the protocol as for Workers (`tcp://`
/// for raw bytes, `unix:///path` for a unix socket). A host name is resolved with getaddrinfo when
/// `connect()` runs, which blocks the process for the lookup: prefer IP addresses on busy workers.
public final class AsyncTcpConnection: TcpConnection {
    /// The address as given.
    public let remoteURL: String
    /// The parsed address.
    public let target: ListenAddress
    /// A local "ip:port" to bind before connecting (Workerman's `socket.bindto` context option).
    public var bindTo: String?
    /// Called once the connection is made; public as `onConnect` (see `ConnectionCallbacks`).
    final var connectHandler: ((TcpConnection) -> Void)?
    /// The TLS client context for `transport = "ssl"` (and `ssl://`, `wss://` addresses); when nil,
    /// the default one verifies the server's certificate against the system's CAs, with SNI.
    public var tls: TransportSecurityContext?
    /// Seconds a connect may take, the TLS handshake of `ssl://` and `wss://` included, before it
    /// fails with `onError(.connectFail, "connect to … timed out after N s")` then `onClose`
    /// (after which `reconnect(after:)` works as for any failure); 0 waits for ever. Workerman has no
    /// such limit and leaves it to the kernel (about two minutes for an address that drops SYNs).
    /// Read when `connect()` starts; default 10.
    public var connectTimeout: Double = 10
    private var reconnectTimer: TimerID?
    /// The one-shot timer enforcing `connectTimeout` while connecting or in the TLS handshake.
    private var connectTimer: TimerID?

    /// An unconnected connection to `address` (`scheme://host:port` or `unix:///path`).
    /// Throws when the address does not parse or its scheme names no registered protocol.
    public init(_ address: String, bindTo: String? = nil) throws(AddressError) {
        remoteURL = address
        target = try ListenAddress(address)
        self.bindTo = bindTo
        let wire: (any StatefulWireProtocol.Type)?
        let secure = Self.secureSchemes[target.scheme]
        if let plain = secure, let registered = ProtocolRegistry.lookup(plain) {
            wire = registered  // wss:// is ws:// over TLS
        } else if ProtocolRegistry.transports.contains(target.scheme) {
            wire = nil
        } else if let registered = ProtocolRegistry.lookup(target.scheme) {
            wire = registered
        } else {
            throw AddressError(
                "unknown protocol '\(target.scheme)' in \(address): register it with Worker.register(_:as:)")
        }
        super.init(fd: -1, remote: nil, protocol: wire)
        if target.scheme == "unix" { transport = "unix" }
        if target.scheme == "ssl" || secure != nil { transport = "ssl" }
    }

    /// Schemes that mean another scheme over TLS.
    static let secureSchemes = ["wss": "ws"]

    /// Starts connecting without blocking (except for a host-name lookup).
    public func connect() {
        guard state == .initial || state == .closed else { return }
        reconnectTimer = nil
        state = .connecting
        do {
            let address: SocketAddress
            if let path = target.path {
                guard let unixAddress = SocketAddress(unixPath: path) else {
                    throw AddressError("unix path too long: \(path)")
                }
                address = unixAddress
            } else {
                address = try SocketAddress.resolve(host: target.host, port: target.port)
            }
            remote = address
            fd = try Sys.socket(domain: address.family, type: Int32(SOCK_STREAM.rawValue))
            if address.family != AF_UNIX {
                try? Sys.setOption(fd, level: Int32(IPPROTO_TCP), name: TCP_NODELAY, value: 1)
            }
            if let bindTo {
                let local = try ListenAddress("tcp://" + bindTo)
                try Sys.bind(fd, try SocketAddress.resolve(host: local.host, port: local.port))
            }
            let connectedAtOnce = try Sys.connect(fd, to: address)
            if !isCounted {
                isCounted = true
                ConnectionStatistics.connectionCount += 1
            }
            try loop.register(fd, self, interest: .write)
            if !connectedAtOnce || transport == "ssl" { startConnectTimer() }
            if connectedAtOnce { loop.execute { [self] in self.connectionMade() } }
        } catch {
            connectFailed("\(error)")
        }
    }

    /// Connects again after `delay` seconds (at once for 0), typically from `onClose`. An open
    /// connection is closed first without running `onClose`.
    public func reconnect(after delay: Double = 0) {
        cancelReconnect()
        cancelConnectTimer()
        if fd >= 0 {
            loop.deregister(fd)
            Sys.close(fd)
            fd = -1
        }
        if isCounted {
            isCounted = false
            ConnectionStatistics.connectionCount -= 1
        }
        if state == .established && isAnnounced { driver?.closed(self) }
        state = .initial
        security = nil
        isHandshaking = false
        securityWantsWrite = false
        sendQueue.removeAll()
        receiveBuffer = nil
        pendingPacketLength = 0
        isPaused = false
        isHeldBack = false
        guard delay > 0 else {
            connect()
            return
        }
        reconnectTimer = Timer.add(delay, persistent: false) { [self] in self.connect() }
    }

    /// Cancels a reconnect scheduled with `reconnect(after:)`.
    public func cancelReconnect() {
        if let reconnectTimer { Timer.del(reconnectTimer) }
        reconnectTimer = nil
    }

    /// Closes at once and cancels a scheduled reconnect (one requested from `onClose` still happens).
    public override func destroy() {
        cancelReconnect()
        cancelConnectTimer()
        super.destroy()
    }

    /// Arms the `connectTimeout` deadline (none for 0).
    private func startConnectTimer() {
        cancelConnectTimer()
        guard connectTimeout > 0 else { return }
        let limit = connectTimeout
        connectTimer = Timer.add(limit, persistent: false) { [weak self] in
            guard let self else { return }
            self.connectTimer = nil
            guard self.state == .connecting || self.isHandshaking else { return }
            let seconds = limit == limit.rounded() && limit < 1e15 ? "\(Int(limit))" : "\(limit)"
            self.abandonConnect("connect to \(self.peerName) timed out after \(seconds) s")
        }
    }

    /// "host:port" ("[v6]:port", or the unix path) for messages.
    private var peerName: String {
        if let path = target.path { return path }
        return target.host.contains(":") ? "[\(target.host)]:\(target.port)" : "\(target.host):\(target.port)"
    }

    private func cancelConnectTimer() {
        if let connectTimer { Timer.del(connectTimer) }
        connectTimer = nil
    }

    override func handleWritable() {
        if state == .connecting {
            let error = Sys.pendingError(fd)
            if error == 0 {
                connectionMade()
            } else {
                connectFailed(SyscallError("connect", errno: error).reason)
            }
            return
        }
        super.handleWritable()
    }

    override func handleHangup() {
        if state == .connecting {
            connectFailed(SyscallError("connect", errno: Sys.pendingError(fd)).reason)
        } else {
            super.handleHangup()
        }
    }

    private func connectionMade() {
        guard state == .connecting else { return }
        local = nil
        state = .established
        if transport == "ssl" {
            do {
                guard let context = try tls ?? TransportSecurityDefaults.clientContext() else {
                    throw WorkerError("transport ssl needs a TLS context: link the TLS module or set tls")
                }
                security = try context.provider().makeClientSession(fd: fd, serverName: target.host)
            } catch {
                connectFailed("TLS: \(error)")
                return
            }
            isHandshaking = true
            pendingOnConnect = connectHandler
            continueHandshake()
            return
        }
        updateInterest()
        handshakeCompleted(onConnect: connectHandler)
    }

    override func handshakeCompleted(onConnect: ((TcpConnection) -> Void)? = nil) {
        cancelConnectTimer()
        super.handshakeCompleted(onConnect: onConnect)
    }

    override func handshakeFailed(_ reason: String) {
        connectFailed("TLS handshake failed: \(reason)")
    }

    private func connectFailed(_ reason: String) {
        abandonConnect("connect to \(target) failed: \(reason)")
    }

    /// The connect-failure path: `onError(.connectFail, message)`, then closed (`onClose`).
    private func abandonConnect(_ message: String) {
        reportError(.connectFail, message)
        destroy()
    }

    override func releaseCallbacks() {
        super.releaseCallbacks()
        connectHandler = nil
    }
}
