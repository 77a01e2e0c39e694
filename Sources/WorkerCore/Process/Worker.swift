/// A listening server and the code that handles its connections: Workerman's `Worker`.
///
/// ```swift
/// let worker = Worker("text://0.0.0.0:5678")
/// worker.count = 4
/// worker.onMessage = { connection, data in
///     connection.send("hello \(data)")
/// }
/// Worker.runAll()
/// ```
/// The scheme selects the protocol: `tcp`, `udp` and `unix` carry raw bytes, any other name is a
/// registered protocol (`text`, `frame`, `http`, `websocket`, or yours: `Worker.register(_:as:)`).
/// A Worker without an address listens on nothing and is useful for timers and outgoing connections.
/// Callbacks run in the worker processes, never in the master.
public final class Worker {
    /// Every Worker made in this process, in order.
    nonisolated(unsafe) public internal(set) static var all: [Worker] = []  // one thread per process

    /// The address as given, e.g. "text://0.0.0.0:5678"; nil for a Worker that does not listen.
    public let socketName: String?
    /// This process's index among the Worker's processes: 0 to `count - 1`, kept by a replacement.
    public internal(set) var id = 0
    /// How many processes run this Worker. Set it before `runAll()`.
    public var count = 1
    /// The name shown by `status` and the start banner.
    public var name = "none"
    /// The protocol of accepted connections; nil for raw bytes. Picked from the scheme, and may be
    /// set instead (a `tcp://` Worker with `protocol = Text.self` is a `text://` Worker).
    public var `protocol`: (any StatefulWireProtocol.Type)?
    /// "tcp" (the default) or "udp" (to run any protocol over datagrams); "unix" for unix sockets.
    public var transport = "tcp"
    /// The TLS context of an `ssl` Worker (https, wss, TLS text or frame): set it (from the TLS
    /// module, e.g. `try TLSServerContext(certificateChain:privateKey:)`) and `transport` becomes
    /// "ssl". Each accepted connection gets its own TLS session from it.
    public var tls: TransportSecurityContext? {
        didSet { if tls != nil { transport = "ssl" } }
    }
    /// Each process binds its own socket with SO_REUSEPORT instead of sharing the master's.
    public var reusePort = false
    /// The listen backlog.
    public var backlog: Int32 = 102_400
    /// The connections this process holds, by id.
    public internal(set) var connections: [Int: TcpConnection] = [:]
    /// The most connections one process of this Worker holds; a connection accepted beyond it is
    /// closed at once, with a log line. nil (the default): no limit but the open-file limit.
    public var maxConnections: Int?
    /// The most bytes of partial packets (received, not yet a whole packet) one process of this
    /// Worker buffers across all its connections (default 128 MiB). Beyond it, the connection holding
    /// the largest partial packet is closed, with a log line. Each connection is also limited on its
    /// own by `TcpConnection.maxPackageSize`.
    public var maxBufferedBytes = 128 * 1024 * 1024
    /// The bytes of partial packets this process's connections of this Worker hold now.
    public internal(set) var bufferedBytes = 0
    /// The user the worker processes run as when started by root.
    public var user: String?
    /// The group the worker processes run as when started by root (default: the user's group).
    public var group: String?
    /// Whether `reload` replaces this Worker's processes; false processes only run `onWorkerReload`.
    public var reloadable = true

    /// Runs in each process when it starts. Throwing stops the process (the error is logged); the
    /// master starts a new one after 1 s, then after 2, 4, 8 ... s (at most 60) while they keep
    /// failing, and after 1 s again once one has started.
    public var onWorkerStart: ((Worker) throws -> Void)?
    /// Runs in each process when it stops through a stop command or `stopAll()`.
    public var onWorkerStop: ((Worker) -> Void)?
    /// Runs in each process when a reload reaches it.
    public var onWorkerReload: ((Worker) -> Void)?
    /// Runs when a connection is accepted.
    public var onConnect: ((TcpConnection) -> Void)?
    /// Runs with each decoded packet of a stream connection (tcp, unix, ssl and the protocols over them).
    public var onMessage: ((TcpConnection, Message) -> Void)? {
        didSet { sharedHandlers = nil }
    }
    /// Runs with each decoded packet of a `udp://` Worker (each datagram without a protocol); its
    /// connection is the datagram's sender, to reply to.
    public var onDatagram: ((UdpConnection, Message) -> Void)?
    /// Runs when a connection closes, exactly once per connection.
    public var onClose: ((TcpConnection) -> Void)? {
        didSet { sharedHandlers = nil }
    }
    /// Runs when a connection's send buffer reaches its limit.
    public var onBufferFull: ((TcpConnection) -> Void)? {
        didSet { sharedHandlers = nil }
    }
    /// Runs when a connection's send buffer has drained.
    public var onBufferDrain: ((TcpConnection) -> Void)? {
        didSet { sharedHandlers = nil }
    }
    /// Runs on a failed send, with Workerman's code and a message.
    public var onError: ((TcpConnection, ConnectionErrorCode, String) -> Void)? {
        didSet { sharedHandlers = nil }
    }
    /// The callbacks above as accepted connections take them, one object for all of them (made
    /// again when one changes: connections accepted before keep the ones they got, as in Workerman).
    private var sharedHandlers: ConnectionHandlers?

    /// The driver all connections share when the protocol keeps no state (see `makeSharedDriver`).
    private var sharedDriver: ProtocolDriver?

    /// The protocol driver of a connection accepted now: the shared one for a protocol without state.
    func driver(for connection: TcpConnection) -> ProtocolDriver? {
        guard let wire = self.protocol else { return nil }
        if let sharedDriver, let shared = sharedDriver.wire, ObjectIdentifier(shared) == ObjectIdentifier(wire) {
            return sharedDriver
        }
        guard let shared = wire.makeSharedDriver(for: connection) else { return wire.makeDriver(for: connection) }
        sharedDriver = shared
        return shared
    }

    /// The callbacks a connection accepted now gets.
    var connectionHandlers: ConnectionHandlers? {
        if let sharedHandlers { return sharedHandlers }
        guard onMessage != nil || onClose != nil || onBufferFull != nil || onBufferDrain != nil || onError != nil
        else { return nil }
        let made = ConnectionHandlers(
            message: onMessage, close: onClose, bufferFull: onBufferFull, bufferDrain: onBufferDrain, error: onError,
            isShared: true)
        sharedHandlers = made
        return made
    }

    /// The parsed address, or nil.
    public let address: ListenAddress?
    /// Why the address cannot be used, found when the Worker was made; reported by `listen()`.
    let addressError: AddressError?
    var listener: Listener?
    /// The port to bind instead of the address's own (a `reusePort` Worker asked for port 0 binds
    /// the port the master picked, in every process).
    var listenPort: UInt16?
    /// True when this process bound the unix socket file (and so removes it).
    var ownsSocketFile = false
    /// The protocols' settings for this Worker, by type (see `settings(_:)`).
    var protocolSettings: [(type: ObjectIdentifier, settings: AnyObject)] = []
    /// Closes the connections whose deadlines passed (see `Worker+Deadlines`).
    var deadlineSweep = DeadlineSweep()

    /// Seconds an `ssl` connection has to complete its TLS handshake; 0: no limit (default 10).
    public var tlsHandshakeTimeout: Double = 10
    /// Seconds a connection may stay silent (no byte received) before it is closed; 0 (the default)
    /// keeps silent connections, as a push server wants. Protocols add their own deadlines
    /// (`worker.http`, `worker.webSocket`).
    public var idleTimeout: Double = 0
    /// True once `announceLeaving()` ran in this process: the Worker is reloading or stopping; it no
    /// longer accepts, and protocols end its connections at their next clean point (HTTP after the
    /// next response, WebSocket with a 1001 close frame); the process exits when they are gone or
    /// `Worker.stopTimeout` has passed.
    public internal(set) var isLeaving = false

    /// A Worker listening on `socketName` (`scheme://host:port`, `unix:///path`), or on nothing.
    public init(_ socketName: String? = nil) {
        self.socketName = socketName
        var parsed: ListenAddress?
        var problem: AddressError?
        if let socketName {
            do {
                let address = try ListenAddress(socketName)
                parsed = address
                if address.scheme == "udp" {
                    transport = "udp"
                } else if address.scheme == "unix" {
                    transport = "unix"
                } else if !ProtocolRegistry.transports.contains(address.scheme) {
                    if let wire = ProtocolRegistry.lookup(address.scheme) {
                        self.protocol = wire
                    } else {
                        problem = AddressError(
                            "unknown protocol '\(address.scheme)' in \(socketName): "
                                + "register it with Worker.register(_:as:) (known: \(ProtocolRegistry.schemes.joined(separator: ", ")))"
                        )
                    }
                }
            } catch {
                problem = error
            }
        }
        address = parsed
        addressError = problem
        Worker.all.append(self)
    }

    /// Makes `type` the protocol of `scheme://` addresses, for Workers and outgoing connections.
    public static func register(_ type: any StatefulWireProtocol.Type, as scheme: String) {
        ProtocolRegistry.register(type, as: scheme)
    }

    /// The address the listener is bound to (with the port the kernel chose for port 0).
    public var localAddress: SocketAddress? { listener?.localAddress }

    /// The port this Worker listens on: the one the kernel chose for port 0 once it is bound, also in
    /// the processes of other Workers of the same program; nil before it listens or for unix sockets.
    public var listeningPort: UInt16? {
        if let port = localAddress?.port { return port }
        return listenPort ?? address.flatMap { $0.path == nil && $0.port != 0 ? $0.port : nil }
    }

    /// "text://0.0.0.0:5678" with the real port once listening.
    public var listenDescription: String {
        guard let address else { return "none" }
        guard let port = localAddress?.port ?? listenPort, address.path == nil else { return address.description }
        let host = address.host.contains(":") ? "[\(address.host)]" : address.host
        return "\(address.scheme)://\(host):\(port)"
    }
}
