import WorkermanCore

extension WebSocket {
    /// The worker is leaving: an open WebSocket gets a 1001 (going away) close frame and closes once
    /// it is written, so that the client reconnects (to another process) at once.
    public static func leaving(state: inout WebSocketSession, connection: TcpConnection) -> ConnectionAction {
        guard state.phase == .open else { return .proceed }
        let close = state.refusal(.close(code: WebSocketCloseCode.goingAway, reason: "server going away"))
        return .replyAndClose(close.reply, reason: close.description)
    }
}
