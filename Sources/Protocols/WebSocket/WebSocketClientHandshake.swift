import WorkermanCore

/// The client's side of the opening handshake (RFC 6455 §4.1): a request with a random key, and
/// a response that must be 101 with the matching accept value.
enum WebSocketClientHandshake {
    /// Sends the handshake request for `connection`'s `ws://host:port/path` address.
    static func start(session: WebSocketSession, connection: TcpConnection) {
        let outgoing = connection as? AsyncTcpConnection
        let target = outgoing.map { ListenAddress.requestTarget(of: $0.remoteURL) } ?? "/"
        var host = outgoing.map { $0.target.host.contains(":") ? "[\($0.target.host)]" : $0.target.host } ?? "localhost"
        if let outgoing, outgoing.target.port != (outgoing.transport == "ssl" ? 443 : 80) {
            host += ":\(outgoing.target.port)"
        }
        session.closeCode = nil
        let key = Base64.encode((0..<16).map { _ in UInt8.random(in: 0...255) })
        session.client?.key = key
        var request = "GET \(target) HTTP/1.1\r\nHost: \(host)\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        request += "Sec-WebSocket-Key: \(key)\r\nSec-WebSocket-Version: 13\r\n"
        if !session.options.subprotocols.isEmpty {
            request += "Sec-WebSocket-Protocol: \(session.options.subprotocols.joined(separator: ", "))\r\n"
        }
        if session.options.perMessageDeflate {
            let offer = PerMessageDeflateNegotiation.clientOffer(
                noContextTakeover: session.options.deflateNoContextTakeover)
            request += "Sec-WebSocket-Extensions: \(offer)\r\n"
        }
        for (name, value) in session.options.headers { request += "\(name): \(value)\r\n" }
        connection.send(request + "\r\n", raw: true)
    }

    /// Checks the server's response; opens the session, or reports `onError(.connectFail)` and closes.
    static func handle(_ packet: ByteView, session: WebSocketSession, connection: TcpConnection) {
        do {
            let response = try verify(packet, session: session)
            session.client?.response = response
            session.subprotocol = response.subprotocol
            session.options.onWebSocketResponse?(connection, response)
            guard connection.state == .established else { return }
            session.open(on: connection)
        } catch {
            session.phase = .closed
            connection.onError?(
                connection, .connectFail, "websocket handshake with \(connection.getRemoteAddress()) failed: \(error)")
            connection.destroy()
        }
    }

    private static func verify(_ packet: ByteView, session: WebSocketSession) throws -> WebSocketResponse {
        guard let head = HTTPHead(packet) else { throw WebSocketHandshakeError("malformed response") }
        let response = WebSocketResponse(head: head)
        guard response.status == 101 else { throw WebSocketHandshakeError("status \(response.status), not 101") }
        guard head.lists("websocket", in: "Upgrade"), head.lists("upgrade", in: "Connection") else {
            throw WebSocketHandshakeError("the response does not upgrade to websocket")
        }
        let expected = WebSocketServerHandshake.acceptValue(for: session.client?.key ?? "")
        guard head.value(of: "Sec-WebSocket-Accept") == expected else {
            throw WebSocketHandshakeError("wrong Sec-WebSocket-Accept")
        }
        if let answer = head.value(of: "Sec-WebSocket-Extensions") {
            guard session.options.perMessageDeflate else {
                throw WebSocketHandshakeError("unrequested extension \(answer)")
            }
            session.deflate = try PerMessageDeflateNegotiation.confirm(answer: answer)
        }
        if let subprotocol = response.subprotocol, !session.options.subprotocols.contains(subprotocol) {
            throw WebSocketHandshakeError("unrequested subprotocol \(subprotocol)")
        }
        return response
    }
}
