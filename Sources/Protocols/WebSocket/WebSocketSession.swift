import WorkermanTimer
import WorkermanCore

/// The WebSocket side of one connection: its options, where the handshake stands, the message
/// being reassembled, the compression streams and the heartbeat timer. Kept in the connection's
/// `protocolState`; reach it as `connection.webSocket`.
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

    /// A problem `input` found, acted on by the next `decode`.
    enum Failure {
        case http(status: Int, reason: String)
        case close(code: UInt16, reason: String)
    }

    let role: Role
    /// The connection this session belongs to.
    weak var connection: TcpConnection?
    /// This connection's options.
    public var options: WebSocketOptions
    /// Server: the handshake request, once received.
    public internal(set) var request: WebSocketRequest?
    /// Client: the handshake response, once received.
    public internal(set) var response: WebSocketResponse?
    /// The negotiated subprotocol, if any.
    public internal(set) var subprotocol: String?
    /// The code of the close frame that ended the WebSocket: the one this side sent when it
    /// closed or refused the peer, or else the one the peer sent. Readable in `onClose`.
    public internal(set) var closeCode: UInt16?

    var phase = Phase.handshake
    var failure: Failure?
    /// Frames encoded before the handshake completed, written right after it.
    var pendingSends = ByteBuffer()
    /// The opcode of the fragmented message in progress, nil between messages.
    var messageOpcode: WebSocketOpcode?
    var messageCompressed = false
    var fragments: [UInt8] = []
    var utf8 = UTF8Validator()
    /// The negotiated permessage-deflate, if any.
    var deflate: PerMessageDeflate?
    /// The largest message accepted, fixed when the connection opens.
    var messageLimit = TcpConnection.defaultMaxPackageSize
    /// Client: the key sent, to check the server's accept value.
    var clientKey = ""
    var heartbeat: TimerID?
    /// Client: destroys the connection when the server does not answer our close frame.
    var closeTimeout: TimerID?
    var lastReceived: UInt64 = 0
    var lastPingSent: UInt64 = 0

    init(role: Role, options: WebSocketOptions) {
        self.role = role
        self.options = options
    }

    /// Reads and writes an option: `connection.webSocket.pingInterval = 25`.
    public subscript<Value>(dynamicMember keyPath: WritableKeyPath<WebSocketOptions, Value>) -> Value {
        get { options[keyPath: keyPath] }
        set { options[keyPath: keyPath] = newValue }
    }

    /// True once the handshake is complete and until a close frame is sent or received.
    public var isOpen: Bool { phase == .open }

    /// Forgets everything about the connection that closed but its `closeCode` (a client
    /// reconnecting keeps its options).
    func reset() {
        phase = .handshake
        failure = nil
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

    /// The session of `connection`, made with `role` (and its Worker's options) on first use.
    static func of(_ connection: Connection, role: Role) -> WebSocketSession {
        if let session = connection.protocolState as? WebSocketSession { return session }
        let session = WebSocketSession(role: role, options: connection.worker?.webSocket ?? WebSocketOptions())
        session.connection = connection as? TcpConnection
        connection.protocolState = session
        return session
    }
}

extension Connection {
    /// This connection's WebSocket session (its options, handshake request, `close(code:reason:)`),
    /// made on first use. Meaningful on `websocket://` and `ws://` connections.
    public var webSocket: WebSocketSession {
        let isClient = self.protocol.map { ObjectIdentifier($0) == ObjectIdentifier(Ws.self) } ?? false
        return WebSocketSession.of(self, role: isClient ? .client : .server)
    }
}
