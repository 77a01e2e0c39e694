import WorkermanCore

/// The `websocket://` server protocol: RFC 6455 (version 13) with permessage-deflate (RFC 7692).
///
/// ```swift
/// let worker = Worker("websocket://0.0.0.0:8000")
/// worker.webSocket.perMessageDeflate = true
/// worker.onWebSocketConnect = { connection, request, response in
///     if request.query["token"] != "secret" { response.reject(status: 403) }
/// }
/// worker.onMessage = { connection, data in connection.send(data) }   // text stays text, binary binary
/// ```
/// `onMessage` gets `.text(String)` for text messages and `.binary([UInt8])` for binary ones,
/// reassembled from their fragments. `send("...")` sends a text frame and `send([UInt8])` a
/// binary one, unless `websocketType` forces one type. Sends made before the handshake completes
/// go out right after it. Pings are answered, the close handshake is completed with the peer's
/// code, and a peer that breaks the protocol is closed with the code RFC 6455 names: 1002 for a
/// malformed, unmasked or out-of-order frame, 1007 for text that is not UTF-8, 1009 for a message
/// over `maxMessageSize`. (Workerman checks none of these.)
public enum WebSocket: WireProtocol {
    /// The length of the handshake head or of the next frame.
    public static func input(_ buffer: ByteView, connection: Connection) -> InputResult {
        WebSocketEngine.input(buffer, connection: connection, role: .server)
    }

    /// The message a frame completes, if any; answers handshakes and control frames itself.
    public static func decode(_ packet: ByteView, connection: Connection) throws -> Message? {
        WebSocketEngine.decode(packet, connection: connection, role: .server)
    }

    /// One unmasked data frame (held back until the handshake completes).
    public static func encode(_ message: Message, connection: Connection, into buffer: inout ByteBuffer) throws {
        try WebSocketEngine.encode(message, connection: connection, role: .server, into: &buffer)
    }

    /// Makes the connection's session from its Worker's options.
    public static func connectionOpened(_ connection: Connection) {
        _ = WebSocketSession.of(connection, role: .server)
    }

    /// Stops the session's heartbeat.
    public static func connectionClosed(_ connection: Connection) {
        (connection.protocolState as? WebSocketSession)?.reset()
    }
}
