import WorkermanCore

/// The `ws://` client protocol, for `AsyncTcpConnection("ws://host:port/path")`.
///
/// ```swift
/// let connection = try AsyncTcpConnection("ws://127.0.0.1:8000/chat")
/// connection.webSocket.pingInterval = 25
/// connection.webSocket.headers = [("Authorization", "Bearer x")]
/// connection.onConnect = { $0.send("hello") }          // delivered once the handshake completes
/// connection.onMessage = { _, data in print(data) }
/// connection.onClose = { $0.reconnect(after: 1) }
/// connection.connect()
/// ```
/// The handshake uses a random key and checks the server's accept value; frames are masked.
/// `onConnect` runs when the TCP connection is made; sends made before the handshake completes
/// are held and delivered right after it, and `onWebSocketConnected` marks that moment. A failed
/// handshake calls `onError(.connectFail, reason)` and closes. Options survive `reconnect`.
public enum Ws: StatefulWireProtocol {
    /// A client session with default options (set them on the connection before `connect()`).
    public static func makeState(for connection: Connection) -> WebSocketSession {
        WebSocketSession(role: .client, connection: connection)
    }

    /// The length of the handshake response head or of the next frame.
    public static func input(_ buffer: ByteView, state: inout WebSocketSession, connection: Connection) -> InputResult {
        WebSocketEngine.input(buffer, session: state)
    }

    /// The message a frame completes, if any; checks the handshake and answers control frames itself.
    public static func decode(_ packet: ByteView, state: inout WebSocketSession, connection: Connection) throws
        -> Message?
    {
        try WebSocketEngine.decode(packet, session: state, connection: connection)
    }

    /// True: the server is not read from while what we send fills the send buffer.
    public static var appliesBackPressure: Bool { true }

    /// One masked data frame (held back until the handshake completes).
    public static func encode(
        _ message: Message, state: inout WebSocketSession, connection: Connection, into buffer: inout ByteBuffer
    ) throws {
        try WebSocketEngine.encode(message, session: state, connection: connection, into: &buffer)
    }

    /// Sends the handshake request.
    public static func opened(state: inout WebSocketSession, connection: TcpConnection) {
        state.attach(connection)
        WebSocketClientHandshake.start(session: state, connection: connection)
    }

    /// Forgets the closed connection's state, keeping the options for a reconnect.
    public static func closed(state: inout WebSocketSession, connection: TcpConnection) {
        state.reset()
    }
}
