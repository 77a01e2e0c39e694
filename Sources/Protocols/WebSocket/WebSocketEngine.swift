import WorkermanCore

/// The `input` and `decode` that the server (`WebSocket`) and the client (`Ws`) share: a handshake
/// head first, then one packet per frame.
///
/// `input` measures; a violation it finds is answered at once (an HTTP error or a close frame with
/// the right code, then the connection closes) instead of the connection being dropped without a word.
enum WebSocketEngine {
    static func input(_ buffer: ByteView, session: WebSocketSession) -> InputResult {
        switch session.phase {
        case .handshake:
            // The limit holds however the head arrives: in pieces, or whole in one read.
            let length = HTTPHead.length(in: buffer)
            guard (length ?? buffer.count) <= HTTPHead.maximumSize else {
                let reason = "handshake head over \(HTTPHead.maximumSize) bytes"
                return failing(
                    session,
                    session.role == .server
                        ? .http(status: 431, reason: reason)
                        : .close(code: WebSocketCloseCode.protocolError, reason: reason))
            }
            return length.map { .packet(length: $0) } ?? .needMore
        case .closed:
            return .needMore  // the connection is closing: nothing more is read
        case .open, .closing:
            switch WebSocketFrameHeader.parse(buffer) {
            case .needMore:
                return .needMore
            case .invalid(let reason):
                return failing(session, .close(code: WebSocketCloseCode.protocolError, reason: reason))
            case .header(let header):
                if let failure = violation(of: header, in: session) { return failing(session, failure) }
                session.measuredFrame = header
                return .packet(length: header.headerLength + header.payloadLength)
            }
        }
    }

    static func decode(_ packet: ByteView, session: WebSocketSession, connection: Connection) throws -> Message? {
        switch session.phase {
        case .handshake:
            guard let connection = connection as? TcpConnection else { return nil }
            switch session.role {
            case .server: try WebSocketServerHandshake.handle(packet, session: session, connection: connection)
            case .client: WebSocketClientHandshake.handle(packet, session: session, connection: connection)
            }
            return nil
        case .closed:
            return nil
        case .open, .closing:
            return try WebSocketFrameHandler.handle(packet, session: session, connection: connection)
        }
    }

    private static func failing(_ session: WebSocketSession, _ failure: WebSocketSession.Failure) -> InputResult {
        let error = session.refusal(failure)
        return .replyAndClose(error.reply, reason: error.description)
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
        _ message: Message, session: WebSocketSession, connection: Connection, into buffer: inout ByteBuffer
    ) throws {
        if session.phase == .open, session.deflate == nil, session.role == .server,
            case .text(let text) = message, session.options.websocketType != .binary
        {
            WebSocketFrameWriter.writeText(text, into: &buffer)  // the common reply: plain text, unmasked
            return
        }
        switch session.phase {
        case .handshake:
            if let connection = session.connection ?? (connection as? TcpConnection),
                session.pendingSends.count >= connection.maxSendBufferSize
            {
                throw ProtocolError("maxSendBufferSize reached while the handshake is pending")
            }
            var frame = ByteBuffer()
            session.writeFrame(message, into: &frame)
            frame.withReadableBytes { session.pendingSends.append(contentsOf: $0) }
        case .open: session.writeFrame(message, into: &buffer)
        case .closing, .closed: throw ProtocolError("the WebSocket is closing")
        }
    }
}
