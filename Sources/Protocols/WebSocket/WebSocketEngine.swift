import WorkermanCore

/// The `input` and `decode` that the server (`WebSocket`) and the client (`Ws`) share: a handshake
/// head first, then one packet per frame.
///
/// `input` measures; a violation it finds is recorded in the session and reported as a one-byte
/// packet, so that the following `decode` can answer it properly (an HTTP error or a close frame
/// with the right code) instead of the connection being dropped without a word.
enum WebSocketEngine {
    static func input(_ buffer: ByteView, connection: Connection, role: WebSocketSession.Role) -> InputResult {
        let session = WebSocketSession.of(connection, role: role)
        switch session.phase {
        case .handshake:
            if let length = HTTPHead.length(in: buffer) { return .packet(length: length) }
            guard buffer.count <= HTTPHead.maximumSize else {
                return failing(session, .http(status: 431, reason: "handshake head over \(HTTPHead.maximumSize) bytes"))
            }
            return .needMore
        case .closed:
            return .packet(length: 1)  // dropped by decode, though the connection reads no more
        case .open, .closing:
            switch WebSocketFrameHeader.parse(buffer) {
            case .needMore:
                return .needMore
            case .invalid(let reason):
                return failing(session, .close(code: WebSocketCloseCode.protocolError, reason: reason))
            case .header(let header):
                if let failure = violation(of: header, in: session) { return failing(session, failure) }
                return .packet(length: header.headerLength + header.payloadLength)
            }
        }
    }

    static func decode(_ packet: ByteView, connection: Connection, role: WebSocketSession.Role) -> Message? {
        let session = WebSocketSession.of(connection, role: role)
        if let failure = session.failure {
            session.failure = nil
            session.fail(failure)
            return nil
        }
        switch session.phase {
        case .handshake:
            switch role {
            case .server: WebSocketServerHandshake.handle(packet, session: session)
            case .client: WebSocketClientHandshake.handle(packet, session: session)
            }
            return nil
        case .closed:
            return nil
        case .open, .closing:
            return WebSocketFrameHandler.handle(packet, session: session)
        }
    }

    private static func failing(_ session: WebSocketSession, _ failure: WebSocketSession.Failure) -> InputResult {
        session.failure = failure
        return .packet(length: 1)
    }

    /// What this endpoint in its current state refuses in an otherwise well-formed header.
    private static func violation(of header: WebSocketFrameHeader, in session: WebSocketSession)
        -> WebSocketSession.Failure?
    {
        func protocolError(_ reason: String) -> WebSocketSession.Failure {
            .close(code: WebSocketCloseCode.protocolError, reason: reason)
        }
        if session.role == .server && header.maskKey == nil { return protocolError("unmasked client frame") }
        if session.role == .client && header.maskKey != nil { return protocolError("masked server frame") }
        if header.isCompressed
            && (session.deflate == nil || header.opcode.isControl || header.opcode == .continuation)
        {
            return protocolError("RSV1 set without permessage-deflate on a first data frame")
        }
        switch header.opcode {
        case .continuation where session.messageOpcode == nil:
            return protocolError("continuation frame with no message in progress")
        case .text, .binary:
            if session.messageOpcode != nil { return protocolError("new message before the last one ended") }
        default: break
        }
        if !header.opcode.isControl && session.fragments.count + header.payloadLength > session.messageLimit {
            return .close(code: WebSocketCloseCode.messageTooBig, reason: "message over \(session.messageLimit) bytes")
        }
        return nil
    }
}

extension WebSocketEngine {
    static func encode(
        _ message: Message, connection: Connection, role: WebSocketSession.Role, into buffer: inout ByteBuffer
    ) throws {
        let session = WebSocketSession.of(connection, role: role)
        switch session.phase {
        case .handshake:
            if let connection = connection as? TcpConnection,
                session.pendingSends.readableBytes >= connection.maxSendBufferSize
            {
                throw ProtocolError("maxSendBufferSize reached while the handshake is pending")
            }
            session.writeFrame(message, into: &session.pendingSends)
        case .open: session.writeFrame(message, into: &buffer)
        case .closing, .closed: throw ProtocolError("the WebSocket is closing")
        }
    }
}
