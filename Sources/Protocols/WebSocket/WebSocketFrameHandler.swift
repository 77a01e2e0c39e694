import WorkermanCore
import WorkermanTimer

/// What a well-formed frame does: data frames build messages, control frames are answered.
enum WebSocketFrameHandler {
    /// Handles one complete frame; returns a message when the frame completes one.
    static func handle(_ packet: ByteView, session: WebSocketSession) throws -> Message? {
        guard case .header(let header) = WebSocketFrameHeader.parse(packet) else { return nil }
        let payload = packet.dropping(first: header.headerLength).buffer
        if session.heartbeat != nil { session.lastReceived = MonotonicClock.now() }
        switch header.opcode {
        case .ping:
            let bytes = unmasked(payload, header.maskKey)
            if session.phase == .open { session.sendControl(.pong, payload: bytes) }
            if let connection = session.connection { session.options.onWebSocketPing?(connection, bytes) }
            return nil
        case .pong:
            if let connection = session.connection {
                session.options.onWebSocketPong?(connection, unmasked(payload, header.maskKey))
            }
            return nil
        case .close:
            try handleClose(unmasked(payload, header.maskKey), session: session)
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
        var valid = true
        let text = String(unsafeUninitializedCapacity: payload.count) { storage in
            guard let base = storage.baseAddress else { return 0 }
            WebSocketMask.copy(payload, maskedWith: key, to: base)
            valid = UTF8Validator.isValid(UnsafeRawBufferPointer(storage))
            return payload.count
        }
        guard valid else {
            throw session.refusal(.close(code: WebSocketCloseCode.invalidPayload, reason: "text message is not UTF-8"))
        }
        return .text(text)
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
    private static func handleClose(_ payload: [UInt8], session: WebSocketSession) throws {
        guard let connection = session.connection else { return }
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
