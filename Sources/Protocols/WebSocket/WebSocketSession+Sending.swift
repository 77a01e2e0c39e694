import WorkermanCore
import WorkermanTimer

extension WebSocketSession {
    /// Sends a close frame with `code` and `reason`, then closes the connection once it is written
    /// (a client waits up to 5 s for the server's close frame first). Does nothing unless open.
    public func close(code: UInt16 = WebSocketCloseCode.normal, reason: String = "") {
        guard phase == .open, let connection else { return }
        closeCode = code
        var frame = ByteBuffer()
        WebSocketFrameWriter.writeClose(code: code, reason: reason, maskKey: maskKey(), into: &frame)
        connection.send(.object(frame), raw: true)
        if role == .server {
            phase = .closed
            connection.close()
        } else {
            phase = .closing
            client?.closeTimeout = Timer.add(5, persistent: false) { connection.destroy() }  // deleted by `reset`
        }
    }

    /// Sends a ping carrying `payload` (at most 125 bytes). Does nothing unless open.
    public func ping(_ payload: [UInt8] = []) {
        guard phase == .open, payload.count <= 125, let connection else { return }
        sendControl(.ping, payload: payload, on: connection)
    }

    /// Sends a ping or pong frame at once (not queued behind the handshake).
    func sendControl(_ opcode: WebSocketOpcode, payload: [UInt8], on connection: TcpConnection) {
        var frame = ByteBuffer(capacity: payload.count + 14)
        payload.withUnsafeBytes { WebSocketFrameWriter.write(opcode, payload: $0, maskKey: maskKey(), into: &frame) }
        connection.send(.object(frame), raw: true)
    }

    /// Ends the WebSocket for `failure`: the error the protocol returns so that its connection
    /// writes the answer (an HTTP error during the handshake, a close frame with the code after it)
    /// and closes.
    func refusal(_ failure: Failure) -> ProtocolError {
        let phaseBefore = phase
        phase = .closed
        switch failure {
        case .http(let status, let reason):
            let reply = WebSocketServerHandshake.errorResponse(status: status, body: reason)
            return ProtocolError("websocket handshake refused (\(status)): \(reason)", reply: Array(reply.utf8))
        case .close(let code, let reason):
            guard phaseBefore == .open || phaseBefore == .closing else { return ProtocolError(reason) }
            closeCode = code
            var frame = ByteBuffer()
            WebSocketFrameWriter.writeClose(code: code, reason: reason, maskKey: maskKey(), into: &frame)
            return ProtocolError(
                "websocket closed with \(code): \(reason)", reply: frame.withReadableBytes { Array($0) })
        }
    }

    /// Completes the handshake: messages may flow, the sends made meanwhile go out, the heartbeat
    /// starts and `onWebSocketConnected` runs.
    func open(on connection: TcpConnection) {
        phase = .open
        messageLimit = options.maxMessageSize ?? connection.maxPackageSize
        connection.maxPackageSize = max(connection.maxPackageSize, messageLimit + 14)
        if !pendingSends.isEmpty {
            connection.send(.binary(pendingSends), raw: true)
            pendingSends = []
        }
        startHeartbeat()
        options.onWebSocketConnected?(connection)
    }

    /// A fresh masking key for a client's frame; nil for a server's.
    func maskKey() -> UInt32? { role == .client ? WebSocketMask.randomKey() : nil }

    /// Appends `message` as one data frame: compressed when permessage-deflate is on, masked by a client.
    func writeFrame(_ message: Message, into buffer: inout ByteBuffer) {
        let opcode = WebSocketSession.opcode(for: message, type: options.websocketType)
        if let deflate {
            writeCompressedFrame(opcode, message, deflate: deflate, into: &buffer)
            return
        }
        let key = maskKey()
        message.withWebSocketPayload { WebSocketFrameWriter.write(opcode, payload: $0, maskKey: key, into: &buffer) }
    }

    private func writeCompressedFrame(
        _ opcode: WebSocketOpcode, _ message: Message, deflate: PerMessageDeflate, into buffer: inout ByteBuffer
    ) {
        message.withWebSocketPayload { payload in
            var compressed = ByteBuffer(capacity: payload.count / 2 + 64)
            deflate.compress(payload, into: &compressed)
            compressed.withReadableBytes {
                WebSocketFrameWriter.write(opcode, payload: $0, compressed: true, maskKey: maskKey(), into: &buffer)
            }
        }
    }

    /// Appends `message` as a server's plain frame, valid on any open server connection.
    static func writeUncompressedFrame(_ message: Message, into buffer: inout ByteBuffer) {
        let opcode = opcode(for: message, type: nil)
        message.withWebSocketPayload { WebSocketFrameWriter.write(opcode, payload: $0, maskKey: nil, into: &buffer) }
    }

    /// The data opcode for `message`: the forced `type`, or by default binary for `.binary` and
    /// `ByteBuffer` objects and text otherwise.
    static func opcode(for message: Message, type: WebSocketMessageType?) -> WebSocketOpcode {
        switch type {
        case .text?: return .text
        case .binary?: return .binary
        case nil: return message.isWebSocketBinary ? .binary : .text
        }
    }
}

extension Message {
    /// True when the message goes out as a binary frame by default: `.binary` and `ByteBuffer` objects.
    var isWebSocketBinary: Bool {
        switch self {
        case .binary: return true
        case .text: return false
        case .object(let value): return value is ByteBuffer
        }
    }

    /// Calls `body` with the bytes a frame carries for this message.
    @inline(__always)
    func withWebSocketPayload<Result>(_ body: (UnsafeRawBufferPointer) -> Result) -> Result {
        switch self {
        case .text(let text):
            // A native string lends its UTF-8 as it is; only a bridged one is copied.
            if let result = text.utf8.withContiguousStorageIfAvailable({ body(UnsafeRawBufferPointer($0)) }) {
                return result
            }
            var copy = text
            return copy.withUTF8 { body(UnsafeRawBufferPointer($0)) }
        case .binary(let bytes): return bytes.withUnsafeBytes(body)
        case .object(let value):
            if let buffer = value as? ByteBuffer { return buffer.withReadableBytes(body) }
            var text = String(describing: value)
            return text.withUTF8 { body(UnsafeRawBufferPointer($0)) }
        }
    }
}
