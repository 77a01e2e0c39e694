import WorkermanCore
import WorkermanTimer

extension Http {
    /// Seconds a keep-alive connection may stay idle once its worker began leaving (reload, graceful
    /// stop, SIGTERM) before it is closed: a request that was already on its way is still answered.
    /// (The deadline sweep runs about once a second, so it is closed 1 to 2 s after.)
    static let leavingIdleGrace = 1.0

    /// The worker is leaving: the response to the request in progress (or to the next one, if it
    /// comes within `leavingIdleGrace`) says `Connection: close` and the connection closes after it
    /// (see `ResponseEncoder`); an idle connection is closed after the grace period (see
    /// `checkDeadlines`). A client therefore never has a request cut: it is answered, or its
    /// connection was closed while idle (which keep-alive clients retry).
    public static func leaving(state: inout HttpConnectionState, connection: TcpConnection) -> ConnectionAction {
        state.leaving = true
        state.leftAt = MonotonicClock.now()
        return .proceed
    }

    /// True when an idle connection of a leaving worker has been idle for the grace period.
    static func idleTooLongWhileLeaving(_ state: HttpConnectionState, now: UInt64) -> Bool {
        state.leaving
            && now &- max(state.since, state.leftAt) >= MonotonicClock.nanoseconds(fromSeconds: leavingIdleGrace)
    }
}
