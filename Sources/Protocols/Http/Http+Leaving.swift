import WorkermanCore
import WorkermanTimer

extension Http {
    /// Seconds a keep-alive connection may stay idle once its worker began leaving (reload, graceful
    /// stop, SIGTERM) before it is closed: a request that was already on its way is still answered.
    static let leavingIdleGrace = 1.0

    /// The worker is leaving: the response to the request in progress (or to the next one, if it
    /// comes within `leavingIdleGrace`) says `Connection: close` and the connection closes after it;
    /// an idle connection is closed after the grace period. A client therefore never sees a request
    /// cut: it is answered, or its connection was closed while idle (which keep-alive clients retry).
    public static func workerLeaving(_ connection: TcpConnection) {
        let state = HttpConnectionState.of(connection)
        state.leaving = true
        closeWhenIdle(connection, state)
    }

    /// Closes `connection` `leavingIdleGrace` seconds from now if no request has begun by then.
    static func closeWhenIdle(_ connection: TcpConnection, _ state: HttpConnectionState) {
        guard state.isIdle && connection.receiveBufferSize == 0 else { return }
        let idleSince = state.idleSince
        Timer.add(leavingIdleGrace, persistent: false) { [weak connection, weak state] in
            guard let connection, let state, connection.state == .established else { return }
            // Still idle, and no response finished meanwhile (that one closed or rescheduled it).
            if state.isIdle && connection.receiveBufferSize == 0 && state.idleSince == idleSince { connection.close() }
        }
    }
}
