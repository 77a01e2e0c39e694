import WorkermanCore

extension WebSocket {
    /// The worker is leaving: an open WebSocket gets a 1001 (going away) close frame and closes
    /// once it is written, so that the client reconnects (to another process) at once.
    public static func workerLeaving(_ connection: TcpConnection) {
        (connection.protocolState as? WebSocketSession)?.close(
            code: WebSocketCloseCode.goingAway, reason: "server going away")
    }
}
