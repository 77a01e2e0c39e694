import WorkermanCore

extension WebSocket {
    /// Sends `message` to every connection in `connections`, encoding the frame once and writing
    /// the same bytes to each open, uncompressed server connection. Others (still in the handshake,
    /// or compressing with context takeover) get it through their own `send`. Returns how many
    /// connections took it (`.written` or `.queued`).
    @discardableResult
    public static func broadcast(_ message: Message, to connections: some Sequence<TcpConnection>) -> Int {
        var fanOut = FanOut(message)
        // A Worker's connections (`worker.connections.values`), the usual audience, are iterated
        // as what they are rather than through the generic sequence.
        if let values = connections as? [Int: TcpConnection].Values {
            for connection in values { fanOut.send(to: connection) }
        } else {
            for connection in connections { fanOut.send(to: connection) }
        }
        return fanOut.delivered
    }
}

/// One message on its way to many connections: the plain server frame is encoded once, on first
/// need, and its bytes are written as they are to each connection that can take them.
private struct FanOut {
    let message: Message
    /// The frame as a raw message (`.binary` bytes: written without a cast), once encoded.
    var frame: Message?
    var delivered = 0

    init(_ message: Message) { self.message = message }

    mutating func send(to connection: TcpConnection) {
        let result: SendResult
        if let session = connection.protocolState(of: WebSocket.self), session.phase == .open,
            session.deflate == nil, session.options.websocketType == nil
        {
            if frame == nil {
                var encoded = ByteBuffer()
                WebSocketSession.writeUncompressedFrame(message, into: &encoded)
                frame = .binary(encoded.readableBytesArray)
            }
            result = connection.send(frame.unsafelyUnwrapped, raw: true)
        } else {
            result = connection.send(message)
        }
        if result != .failed { delivered += 1 }
    }
}
