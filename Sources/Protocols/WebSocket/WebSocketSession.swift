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
    // An idle server connection keeps this object alone: what only a client, a heartbeat or a kept
    // handshake request needs lives in objects of its own, made when needed; the small fields come
    // first so that they share words.

    let role: Role
    @exclusivity(unchecked) var phase = Phase.handshake
    /// The opcode of the fragmented message in progress, nil between messages.
    @exclusivity(unchecked) var messageOpcode: WebSocketOpcode?
    @exclusivity(unchecked) var messageCompressed = false
    @exclusivity(unchecked) var utf8 = UTF8Validator()
    /// The code of the close frame that ended the WebSocket: the one this side sent when it
    /// closed or refused the peer, or else the one the peer sent. Readable in `onClose`.
    @exclusivity(unchecked) public internal(set) var closeCode: UInt16?
    /// The header of the frame `input` measured last, for `decode` of the same packet.
    @exclusivity(unchecked) var measuredFrame: WebSocketFrameHeader?
    /// The connection this session belongs to, from the protocol's `opened` to its `closed` (a
    /// strong reference, dropped in `closed`: a weak one would give every connection a side table
    /// and make each of its retains and releases take the slow path).
    @exclusivity(unchecked) var connection: TcpConnection?
    /// This connection's options: its Worker's, shared until one is changed here.
    @exclusivity(unchecked) private var sharedOptions: SharedWebSocketOptions
    /// Server: the head of the handshake request, while the handshake runs and afterwards when it
    /// is kept (an `onWebSocketConnect` hook, or `keepsHandshakeRequest`).
    @exclusivity(unchecked) var requestHead: [UInt8]?
    /// The negotiated subprotocol, if any.
    @exclusivity(unchecked) public internal(set) var subprotocol: String?
    /// Frames encoded before the handshake completed, written right after it.
    @exclusivity(unchecked) var pendingSends: [UInt8] = []
    @exclusivity(unchecked) var fragments: [UInt8] = []
    /// The negotiated permessage-deflate, if any.
    @exclusivity(unchecked) var deflate: PerMessageDeflate?
    /// The largest message accepted, fixed when the connection opens.
    @exclusivity(unchecked) var messageLimit = TcpConnection.defaultMaxPackageSize
    /// When the connection was established (monotonic ns), for the handshake deadline.
    @exclusivity(unchecked) var openedAt: UInt64 = 0
    /// The ping and idle timer, when `pingInterval` or `idleTimeout` is set.
    @exclusivity(unchecked) var heartbeat: WebSocketHeartbeat?
    /// What the client side of a handshake keeps (nil on a server's session).
    @exclusivity(unchecked) let client: WebSocketClientState?

    init(role: Role, options: SharedWebSocketOptions) {
        self.role = role
        sharedOptions = options
        client = role == .client ? WebSocketClientState() : nil
    }

    /// The session of a new `connection`: a server's with its Worker's options. It reaches the
    /// connection once the protocol's `opened` hands it over (`attach`).
    convenience init(role: Role, connection: Connection) {
        let worker = role == .server ? connection.worker : nil
        self.init(role: role, options: worker?.sharedWebSocketOptions ?? SharedWebSocketOptions(WebSocketOptions()))
    }

    /// This connection's options (its Worker's until one is changed here).
    public var options: WebSocketOptions {
        get { sharedOptions.options }
        set { SharedWebSocketOptions.store(newValue, in: &sharedOptions) }
    }

    /// The connection is established: the session holds it until `reset`.
    func attach(_ connection: TcpConnection) {
        self.connection = connection
    }

    /// Server: the handshake request. Available in `onWebSocketConnect` and `onWebSocketConnected`;
    /// after them only when the options have an `onWebSocketConnect` hook or `keepsHandshakeRequest`
    /// (the head is kept as received and read again on each access).
    public var request: WebSocketRequest? {
        guard let requestHead else { return nil }
        return requestHead.withUnsafeBytes { bytes in
            HTTPHead(ByteView(bytes)).map {
                WebSocketRequest(head: $0, remoteAddress: connection?.getRemoteAddress() ?? "")
            }
        }
    }

    /// Client: the handshake response, once received.
    public var response: WebSocketResponse? { client?.response }

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
        pendingSends = []
        endMessage()
        deflate = nil
        requestHead = nil
        subprotocol = nil
        if let heartbeat { Timer.del(heartbeat.timer) }
        heartbeat = nil
        client?.reset()
    }

    /// Clears the reassembly state after a message.
    func endMessage() {
        messageOpcode = nil
        messageCompressed = false
        fragments = []  // an idle connection keeps no reassembly buffer
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
        return WebSocketSession(role: .server, options: SharedWebSocketOptions(WebSocketOptions()))
    }
}

/// What the client side of a WebSocket keeps besides the session's own fields.
final class WebSocketClientState {
    /// The key sent, to check the server's accept value.
    var key = ""
    /// The handshake response, once received.
    var response: WebSocketResponse?
    /// Destroys the connection when the server does not answer our close frame.
    var closeTimeout: TimerID?

    /// Forgets the closed connection's handshake and stops the close timer.
    func reset() {
        response = nil
        if let closeTimeout { Timer.del(closeTimeout) }
        closeTimeout = nil
    }
}
