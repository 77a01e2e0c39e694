import WorkermanCore
import WorkermanTimer

/// The WebSocket side of one connection: its options, where the handshake stands, the message
/// being reassembled, the compression streams and the heartbeat timer: the `State` of the
/// `WebSocket` and `Ws` protocols; reach it as `connection.webSocket`.
///
/// Its options are readable and writable directly: `connection.webSocket.pingInterval = 25`.
@dynamicMemberLookup
public final class WebSocketSession {
    /// Which end of the connection this process is.
    enum Role {
        case server
        case client
    }

    /// Where the connection stands.
    enum Phase {
        /// Waiting for the handshake request (server) or response (client).
        case handshake
        /// Messages flow.
        case open
        /// We sent a close frame and wait for the peer's.
        case closing
        /// Closed, or failed: whatever else arrives is dropped.
        case closed
    }

    /// Why the WebSocket is refused: an HTTP error during the handshake, a close frame after it.
    enum Failure {
        case http(status: Int, reason: String)
        case close(code: UInt16, reason: String)
    }

    // The stored properties skip run-time exclusivity checks (`@exclusivity(unchecked)`): the
    // session lives on its connection's one thread, and no access to one of them is held across a
    // call that could reach it again (application hooks are called with values read beforehand).

    let role: Role
    /// The connection this session belongs to, from the protocol's `opened` to its `closed` (a
    /// strong reference, dropped in `closed`: a weak one would give every connection a side table
    /// and make each of its retains and releases take the slow path).
    @exclusivity(unchecked) var connection: TcpConnection?
    /// This connection's options.
    @exclusivity(unchecked) public var options: WebSocketOptions
    /// Server: the handshake request, once received.
    @exclusivity(unchecked) public internal(set) var request: WebSocketRequest?
    /// Client: the handshake response, once received.
    @exclusivity(unchecked) public internal(set) var response: WebSocketResponse?
    /// The negotiated subprotocol, if any.
    @exclusivity(unchecked) public internal(set) var subprotocol: String?
    /// The code of the close frame that ended the WebSocket: the one this side sent when it
    /// closed or refused the peer, or else the one the peer sent. Readable in `onClose`.
    @exclusivity(unchecked) public internal(set) var closeCode: UInt16?

    @exclusivity(unchecked) var phase = Phase.handshake
    /// Frames encoded before the handshake completed, written right after it.
    @exclusivity(unchecked) var pendingSends = ByteBuffer()
    /// The header of the frame `input` measured last, for `decode` of the same packet.
    @exclusivity(unchecked) var measuredFrame: WebSocketFrameHeader?
    /// The opcode of the fragmented message in progress, nil between messages.
    @exclusivity(unchecked) var messageOpcode: WebSocketOpcode?
    @exclusivity(unchecked) var messageCompressed = false
    @exclusivity(unchecked) var fragments: [UInt8] = []
    @exclusivity(unchecked) var utf8 = UTF8Validator()
    /// The negotiated permessage-deflate, if any.
    @exclusivity(unchecked) var deflate: PerMessageDeflate?
    /// The largest message accepted, fixed when the connection opens.
    @exclusivity(unchecked) var messageLimit = TcpConnection.defaultMaxPackageSize
    /// Client: the key sent, to check the server's accept value.
    @exclusivity(unchecked) var clientKey = ""
    @exclusivity(unchecked) var heartbeat: TimerID?
    /// Client: destroys the connection when the server does not answer our close frame.
    @exclusivity(unchecked) var closeTimeout: TimerID?
    /// When the connection was established (monotonic ns), for the handshake deadline.
    @exclusivity(unchecked) var openedAt: UInt64 = 0
    @exclusivity(unchecked) var lastReceived: UInt64 = 0
    @exclusivity(unchecked) var lastPingSent: UInt64 = 0

    init(role: Role, options: WebSocketOptions) {
        self.role = role
        self.options = options
    }

    /// The session of a new `connection`: a server's with its Worker's options. It reaches the
    /// connection once the protocol's `opened` hands it over (`attach`).
    convenience init(role: Role, connection: Connection) {
        let options = role == .server ? connection.worker?.webSocket ?? WebSocketOptions() : WebSocketOptions()
        self.init(role: role, options: options)
    }

    /// The connection is established: the session holds it until `reset`.
    func attach(_ connection: TcpConnection) {
        self.connection = connection
    }

    /// Reads and writes an option: `connection.webSocket.pingInterval = 25`.
    public subscript<Value>(dynamicMember keyPath: WritableKeyPath<WebSocketOptions, Value>) -> Value {
        get { options[keyPath: keyPath] }
        set { options[keyPath: keyPath] = newValue }
    }

    /// True once the handshake is complete and until a close frame is sent or received.
    public var isOpen: Bool { phase == .open }

    /// Forgets everything about the connection that closed but its `closeCode` (a client
    /// reconnecting keeps its options), and lets go of the connection.
    func reset() {
        connection = nil
        phase = .handshake
        measuredFrame = nil
        pendingSends.clear()
        endMessage()
        deflate = nil
        request = nil
        response = nil
        subprotocol = nil
        for timer in [heartbeat, closeTimeout].compactMap({ $0 }) { Timer.del(timer) }
        heartbeat = nil
        closeTimeout = nil
    }

    /// Clears the reassembly state after a message.
    func endMessage() {
        messageOpcode = nil
        messageCompressed = false
        fragments.removeAll(keepingCapacity: fragments.count <= 64 * 1024)
        utf8 = UTF8Validator()
    }
}

extension Connection {
    /// This connection's WebSocket session (its options, handshake request, `close(code:reason:)`).
    /// Meaningful on `websocket://` and `ws://` connections; any other connection gets a detached
    /// session whose settings go nowhere.
    public var webSocket: WebSocketSession {
        if let tcp = self as? TcpConnection {
            if let session = tcp.protocolState(of: WebSocket.self) ?? tcp.protocolState(of: Ws.self) { return session }
        }
        return WebSocketSession(role: .server, options: WebSocketOptions())
    }
}
