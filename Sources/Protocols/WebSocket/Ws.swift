import WorkermanCore

/// The `ws://` client protocol, for `AsyncTcpConnection("ws://host:port/path")`.
///
/// ```swift
/// let connection = try AsyncTcpConnection("ws://127.0.0.1:8000/chat")
/// connection.webSocket.pingInterval = 25
/// connection.webSocket.headers = [("Authorization", "Bearer x")]
/// connection.onConnect = { $0.send("hello") }          // delivered once the handshake completes
/// connection.onMessage = { _, data in print(data) }
/// connection.onClose = { ($0 as? AsyncTcpConnection)?.reconnect(after: 1) }
/// connection.connect()
/// ```
/// The handshake uses a random key and checks the server's accept value; frames are masked.
/// `onConnect` runs when the TCP connection is made; sends made before the handshake completes
/// are held and delivered right after it, and `onWebSocketConnected` marks that moment. A failed
/// handshake calls `onError(.connectFail, reason)` and closes. Options survive `reconnect`.
public enum Ws: WireProtocol {
    /// The length of the handshake response head or of the next frame.
    public static func input(_ buffer: ByteView, connection: Connection) -> InputResult {
        WebSocketEngine.input(buffer, connection: connection, role: .client)
    }

    /// The message a frame completes, if any; checks the handshake and answers control frames itself.
    public static func decode(_ packet: ByteView, connection: Connection) throws -> Message? {
        WebSocketEngine.decode(packet, connection: connection, role: .client)
    }

    /// One masked data frame (held back until the handshake completes).
    public static func encode(_ message: Message, connection: Connection, into buffer: inout ByteBuffer) throws {
        try WebSocketEngine.encode(message, connection: connection, role: .client, into: &buffer)
    }

    /// Sends the handshake request.
    public static func connectionOpened(_ connection: Connection) {
        WebSocketClientHandshake.start(session: WebSocketSession.of(connection, role: .client))
    }

    /// Forgets the closed connection's state, keeping the options for a reconnect.
    public static func connectionClosed(_ connection: Connection) {
        (connection.protocolState as? WebSocketSession)?.reset()
    }
}
