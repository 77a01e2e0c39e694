import WorkermanCore

extension WebSocket {
    /// Sends `message` to every connection in `connections`, encoding the frame once and writing
    /// the same bytes to each open, uncompressed server connection. Others (still in the handshake,
    /// or compressing with context takeover) get it through their own `send`. Returns how many
    /// connections took it (`.written` or `.queued`).
    @discardableResult
    public static func broadcast(_ message: Message, to connections: some Sequence<TcpConnection>) -> Int {
        var frame: Message?
        var delivered = 0
        for connection in connections {
            let result: SendResult
            if let session = connection.protocolState(of: WebSocket.self),
                session.phase == .open, session.options.websocketType == nil
            {
                if frame == nil {
                    var encoded = ByteBuffer()
                    WebSocketSession.writeUncompressedFrame(message, into: &encoded)
                    frame = .object(encoded)
                }
                result = connection.send(frame!, raw: true)
            } else {
                result = connection.send(message)
            }
            if result != .failed { delivered += 1 }
        }
        return delivered
    }
}
