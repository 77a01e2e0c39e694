import WorkermanCore
import WorkermanTimer

/// The HTTP phases' deadlines, checked about once a second by the Worker (see `HttpSettings`):
/// - the first request's head must be complete `headerTimeout` seconds after the connection starts,
///   a later one `headerTimeout` seconds after its first byte → 408, closed;
/// - a request body must bring `bodyMinimumRate` × `bodyTimeout` bytes (at least one) in each window
///   of `bodyTimeout` seconds → else 408, closed;
/// - an idle keep-alive connection is closed `keepAliveTimeout` seconds after the first sweep that
///   finds it idle (so 0 to 1 s more after its last response: no clock is read per response), or
///   about a second after its worker began leaving (see `Http.leaving`).
/// A connection whose request the application is still answering (or streaming to) is never timed out.
extension Http {
    /// True: HTTP connections have deadlines.
    public static var hasDeadlines: Bool { true }

    /// True: a client that pipelines requests without reading the answers is not read from while
    /// its answers fill the send buffer, so none is dropped.
    public static var appliesBackPressure: Bool { true }

    /// What to do about the phase the connection is in, at `now`.
    public static func checkDeadlines(state: inout HttpConnectionState, connection: TcpConnection, now: UInt64)
        -> ConnectionAction
    {
        guard state.rejected == nil else { return .proceed }
        let settings = state.settings
        if state.head != nil {
            if state.bodyProgress.at == 0 {
                state.bodyProgress = (connection.bytesRead, now)
            } else if expired(since: state.bodyProgress.at, settings.bodyTimeout, now) {
                let needed = max(1, Int(Double(settings.bodyMinimumRate) * settings.bodyTimeout))
                let received = connection.bytesRead - state.bodyProgress.bytes
                guard received >= needed else {
                    return timedOut(
                        "request body: \(received) bytes in \(settings.bodyTimeout) s, under \(needed)", state)
                }
                state.bodyProgress = (connection.bytesRead, now)
            }
        } else if state[flag: .headStarted] {
            if expired(since: state.since, settings.headerTimeout, now) {
                return timedOut("request head not complete after \(settings.headerTimeout) s", state)
            }
        } else if state.pending.isEmpty && state.stream == nil && connection.receiveBufferSize == 0 {
            if state.since == 0 { state.since = now }  // the first sweep since its last response
            if Http.idleTooLongWhileLeaving(state, now: now) {
                return .close(reason: "idle while the worker is leaving")
            } else if state[flag: .awaitsFirstRequest] {
                if expired(since: state.since, settings.headerTimeout, now) {
                    return .close(reason: "no request \(settings.headerTimeout) s after connecting")
                }
            } else if expired(since: state.since, settings.keepAliveTimeout, now) {
                return .close(reason: "idle for \(settings.keepAliveTimeout) s")
            }
        }
        return .proceed
    }

    private static func timedOut(_ reason: String, _ state: HttpConnectionState) -> ConnectionAction {
        .replyAndClose(refusal(HttpError(408, reason), state), reason: reason)
    }

    private static func expired(since start: UInt64, _ seconds: Double, _ now: UInt64) -> Bool {
        seconds > 0 && now &- start >= MonotonicClock.nanoseconds(fromSeconds: seconds)
    }
}
