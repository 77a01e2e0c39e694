import WorkermanCore

/// The server's side of the opening handshake (RFC 6455 §4.2): checks the request, runs
/// `onWebSocketConnect`, negotiates a subprotocol and permessage-deflate, and answers 101.
enum WebSocketServerHandshake {
    /// The GUID that the accept value hashes with the client's key.
    static let guid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

    /// The `Sec-WebSocket-Accept` value for `key`.
    static func acceptValue(for key: String) -> String {
        Base64.encode(SHA1.digest(Array((key + guid).utf8)))
    }

    /// Answers the handshake request in `packet`; throws the refusal of a bad or rejected one.
    static func handle(_ packet: ByteView, session: WebSocketSession, connection: TcpConnection) throws {
        guard let head = HTTPHead(packet) else {
            throw session.refusal(.http(status: 400, reason: "malformed request"))
        }
        let request = WebSocketRequest(head: head, remoteAddress: connection.getRemoteAddress())
        guard request.method == "GET" else {
            throw session.refusal(.http(status: 400, reason: "method must be GET"))
        }
        guard head.lists("websocket", in: "Upgrade"), head.lists("upgrade", in: "Connection") else {
            throw session.refusal(.http(status: 400, reason: "not a websocket upgrade"))
        }
        guard let key = head.value(of: "Sec-WebSocket-Key"), Base64.decodedLength(of: key) == 16 else {
            throw session.refusal(.http(status: 400, reason: "missing or malformed Sec-WebSocket-Key"))
        }
        guard let version = head.value(of: "Sec-WebSocket-Version") else {
            throw session.refusal(.http(status: 400, reason: "missing Sec-WebSocket-Version"))
        }
        guard version == "13" else {
            session.phase = .closed
            let reply = errorResponse(status: 426, body: "", headers: "Sec-WebSocket-Version: 13\r\n")
            throw ProtocolError("websocket version \(version) refused", reply: Array(reply.utf8))
        }
        session.requestHead = Array(packet.buffer)
        var response = WebSocketHandshakeResponse()
        response.headers = session.options.headers
        session.options.onWebSocketConnect?(connection, request, &response)
        guard connection.state != .closing && connection.state != .closed else { return }
        if let rejection = response.rejection {
            throw session.refusal(.http(status: rejection.status, reason: rejection.body))
        }
        var reply = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n"
        reply += "Connection: Upgrade\r\nSec-WebSocket-Accept: \(acceptValue(for: key))\r\n"
        if session.options.perMessageDeflate, let offers = head.value(of: "Sec-WebSocket-Extensions"),
            let (deflate, answer) = PerMessageDeflateNegotiation.accept(
                offers: offers, noContextTakeover: session.options.deflateNoContextTakeover)
        {
            session.deflate = deflate
            reply += "Sec-WebSocket-Extensions: \(answer)\r\n"
        }
        if let subprotocol = response.subprotocol, request.subprotocols.contains(subprotocol) {
            session.subprotocol = subprotocol
            reply += "Sec-WebSocket-Protocol: \(subprotocol)\r\n"
        }
        for (name, value) in response.headers { reply += "\(name): \(value)\r\n" }
        connection.send(reply + "\r\n", raw: true)
        session.open(on: connection)
        if session.options.onWebSocketConnect == nil && !session.options.keepsHandshakeRequest {
            session.requestHead = nil  // nobody asked to read it later: an idle connection keeps no copy
        }
    }

    /// A complete HTTP error response that closes the connection.
    static func errorResponse(status: Int, body: String, headers: String = "") -> String {
        let reasons = [
            400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 408: "Request Timeout",
            426: "Upgrade Required",
            431: "Request Header Fields Too Large", 500: "Internal Server Error", 503: "Service Unavailable",
        ]
        return "HTTP/1.1 \(status) \(reasons[status] ?? "Error")\r\nContent-Type: text/plain\r\n"
            + "Content-Length: \(body.utf8.count)\r\nConnection: close\r\n\(headers)\r\n\(body)"
    }
}
