import WorkermanCore
import WorkermanTimer

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
public enum WebSocket: StatefulWireProtocol {
    /// A session with its Worker's options (`worker.webSocket`).
    public static func makeState(for connection: Connection) -> WebSocketSession {
        WebSocketSession(role: .server, connection: connection)
    }

    /// The length of the handshake head or of the next frame; a violation is answered and closes.
    public static func input(_ buffer: ByteView, state: inout WebSocketSession, connection: Connection) -> InputResult {
        WebSocketEngine.input(buffer, session: state)
    }

    /// The message a frame completes, if any; answers handshakes and control frames itself.
    public static func decode(_ packet: ByteView, state: inout WebSocketSession, connection: Connection) throws
        -> Message?
    {
        try WebSocketEngine.decode(packet, session: state, connection: connection)
    }

    /// True: a peer is not read from while the answers to it fill the send buffer.
    public static var appliesBackPressure: Bool { true }

    /// One unmasked data frame (held back until the handshake completes).
    public static func encode(
        _ message: Message, state: inout WebSocketSession, connection: Connection, into buffer: inout ByteBuffer
    ) throws {
        try WebSocketEngine.encode(message, session: state, connection: connection, into: &buffer)
    }

    /// Starts the clock of the handshake deadline.
    public static func opened(state: inout WebSocketSession, connection: TcpConnection) {
        state.attach(connection)
        state.openedAt = MonotonicClock.now()
    }

    /// Stops the session's heartbeat and lets go of the connection.
    public static func closed(state: inout WebSocketSession, connection: TcpConnection) {
        state.reset()
    }

    /// True: the opening handshake has a deadline.
    public static var hasDeadlines: Bool { true }

    /// A handshake not complete `handshakeTimeout` seconds after connecting is answered 408 and closed.
    public static func checkDeadlines(state: inout WebSocketSession, connection: TcpConnection, now: UInt64)
        -> ConnectionAction
    {
        guard state.phase == .handshake else { return .proceed }
        let limit = state.options.handshakeTimeout
        guard limit > 0, state.openedAt != 0,
            now &- state.openedAt >= MonotonicClock.nanoseconds(fromSeconds: limit)
        else { return .proceed }
        let reason = "websocket handshake not complete after \(limit) s"
        state.phase = .closed
        return .replyAndClose(
            Array(WebSocketServerHandshake.errorResponse(status: 408, body: reason).utf8), reason: reason)
    }
}
