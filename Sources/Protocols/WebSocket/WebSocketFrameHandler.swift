import WorkermanCore
import WorkermanTimer

/// What a well-formed frame does: data frames build messages, control frames are answered.
enum WebSocketFrameHandler {
    /// Handles one complete frame; returns a message when the frame completes one.
    static func handle(_ packet: ByteView, session: WebSocketSession, connection: Connection) throws -> Message? {
        let header: WebSocketFrameHeader
        if let measured = session.measuredFrame, measured.headerLength + measured.payloadLength == packet.count {
            header = measured  // what `input` read from this packet
        } else {
            guard case .header(let parsed) = WebSocketFrameHeader.parse(packet) else { return nil }
            header = parsed
        }
        let payload = packet.dropping(first: header.headerLength).buffer
        if let heartbeat = session.heartbeat { heartbeat.lastReceived = MonotonicClock.now() }
        switch header.opcode {
        case .ping:
            guard let connection = connection as? TcpConnection else { return nil }
            let bytes = unmasked(payload, header.maskKey)
            if session.phase == .open { session.sendControl(.pong, payload: bytes, on: connection) }
            session.options.onWebSocketPing?(connection, bytes)
            return nil
        case .pong:
            guard let connection = connection as? TcpConnection else { return nil }
            session.options.onWebSocketPong?(connection, unmasked(payload, header.maskKey))
            return nil
        case .close:
            guard let connection = connection as? TcpConnection else { return nil }
            try handleClose(unmasked(payload, header.maskKey), session: session, connection: connection)
            return nil
        case .text, .binary, .continuation:
            guard session.phase == .open else { return nil }  // we are closing: data is dropped
            if header.isFinal && header.opcode != .continuation && !header.isCompressed {
                return try wholeMessage(header.opcode, payload, header.maskKey, session: session)
            }
            return try fragment(header, payload, session: session)
        }
    }

    /// A message in one uncompressed frame, unmasked straight into its final storage.
    private static func wholeMessage(
        _ opcode: WebSocketOpcode, _ payload: UnsafeRawBufferPointer, _ key: UInt32?, session: WebSocketSession
    ) throws -> Message? {
        if opcode == .binary {
            return .binary(unmasked(payload, key))
        }
        guard let text = unmaskedText(payload, key) else {
            throw session.refusal(.close(code: WebSocketCloseCode.invalidPayload, reason: "text message is not UTF-8"))
        }
        return .text(text)
    }

    /// The payload unmasked straight into a string's storage, or nil when it is not UTF-8 (text
    /// that is all ASCII, seen while unmasking, needs no further check).
    private static func unmaskedText(_ payload: UnsafeRawBufferPointer, _ key: UInt32?) -> String? {
        var valid = true
        let text = String(unsafeUninitializedCapacity: payload.count) { storage in
            guard let base = storage.baseAddress else { return 0 }
            if !WebSocketMask.copyCheckingASCII(payload, maskedWith: key ?? 0, to: base) {
                let text = UnsafeBufferPointer(rebasing: storage[0..<payload.count])
                valid = UTF8Validator.isValid(UnsafeRawBufferPointer(text))
            }
            return payload.count
        }
        return valid ? text : nil
    }

    /// One frame of a fragmented or compressed message; the message when it is the last.
    private static func fragment(
        _ header: WebSocketFrameHeader, _ payload: UnsafeRawBufferPointer, session: WebSocketSession
    ) throws -> Message? {
        if header.opcode != .continuation {
            session.messageOpcode = header.opcode
            session.messageCompressed = header.isCompressed
        }
        let start = session.fragments.count
        session.fragments.append(contentsOf: repeatElement(0, count: payload.count))
        session.fragments.withUnsafeMutableBytes { storage in
            WebSocketMask.copy(payload, maskedWith: header.maskKey, to: storage.baseAddress! + start)
        }
        if session.messageOpcode == .text && !session.messageCompressed {
            let fresh = session.fragments.withUnsafeBytes { UnsafeRawBufferPointer(rebasing: $0[start...]) }
            guard session.utf8.validate(fresh) else {
                throw session.refusal(
                    .close(code: WebSocketCloseCode.invalidPayload, reason: "text message is not UTF-8"))
            }
        }
        guard header.isFinal else { return nil }
        return try completeMessage(session)
    }

    /// The reassembled message: decompressed and, for text, checked as a whole.
    private static func completeMessage(_ session: WebSocketSession) throws -> Message? {
        let isText = session.messageOpcode == .text
        var bytes = session.fragments
        if session.messageCompressed, let deflate = session.deflate {
            switch deflate.decompress(bytes, limit: session.messageLimit) {
            case .bytes(let inflated): bytes = inflated
            case .tooLarge:
                throw session.refusal(.close(code: WebSocketCloseCode.messageTooBig, reason: "message too large"))
            case .corrupt:
                throw session.refusal(
                    .close(code: WebSocketCloseCode.invalidPayload, reason: "corrupt compressed message"))
            }
        }
        let complete =
            session.messageCompressed ? bytes.withUnsafeBytes(UTF8Validator.isValid) : session.utf8.isComplete
        session.endMessage()
        guard isText else { return .binary(bytes) }
        guard complete else {
            throw session.refusal(.close(code: WebSocketCloseCode.invalidPayload, reason: "text message is not UTF-8"))
        }
        return .text(String(decoding: bytes, as: UTF8.self))
    }

    /// Answers a close frame: checks its code and reason, echoes the code, and closes.
    private static func handleClose(_ payload: [UInt8], session: WebSocketSession, connection: TcpConnection) throws {
        var code: UInt16?
        var reason = ""
        if payload.count == 1 {
            throw session.refusal(.close(code: WebSocketCloseCode.protocolError, reason: "one-byte close payload"))
        }
        if payload.count >= 2 {
            let received = UInt16(payload[0]) << 8 | UInt16(payload[1])
            guard WebSocketCloseCode.isAllowedOnWire(received) else {
                throw session.refusal(.close(code: WebSocketCloseCode.protocolError, reason: "close code \(received)"))
            }
            guard let text = String(validating: payload[2...], as: UTF8.self) else {
                throw session.refusal(.close(code: WebSocketCloseCode.invalidPayload, reason: "close reason not UTF-8"))
            }
            code = received
            reason = text
        }
        let wasOpen = session.phase == .open
        session.phase = .closed
        if session.closeCode == nil { session.closeCode = code ?? WebSocketCloseCode.noStatusReceived }
        session.options.onWebSocketClose?(connection, code, reason)
        if wasOpen {
            var frame = ByteBuffer()
            WebSocketFrameWriter.writeClose(code: code, reason: "", maskKey: session.maskKey(), into: &frame)
            connection.send(.object(frame), raw: true)
        }
        connection.close()
    }

    private static func unmasked(_ payload: UnsafeRawBufferPointer, _ key: UInt32?) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: payload.count) { storage, count in
            if let base = storage.baseAddress {
                WebSocketMask.copy(payload, maskedWith: key, to: UnsafeMutableRawPointer(base))
            }
            count = payload.count
        }
    }
}
