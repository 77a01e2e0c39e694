import WorkermanTimer
import WorkermanCore

/// Closes HTTP connections that sit idle or send their request too slowly: one timer per process
/// sweeps every open HTTP connection once a second.
///
/// - Idle keep-alive: no request for `Http.keepAliveTimeout` seconds after the last response → closed.
/// - Slow head (slowloris): a head not complete `Http.headerTimeout` seconds after its first byte → 408, closed.
/// - Stalled body: no byte of a request body for `Http.bodyTimeout` seconds → 408, closed.
/// A connection whose request the application is still answering (or streaming to) is never timed out.
enum HttpTimeouts {
    nonisolated(unsafe) private static var watched: [ObjectIdentifier: Unowned] = [:]  // one thread per process
    nonisolated(unsafe) private static var sweeper: TimerID?
    nonisolated(unsafe) private static var lastSweep: UInt64 = 0

    private struct Unowned {
        unowned let connection: TcpConnection
    }

    /// Starts watching `connection` (until `unwatch`).
    static func watch(_ connection: TcpConnection) {
        watched[ObjectIdentifier(connection)] = Unowned(connection: connection)
        let now = MonotonicClock.now()
        // A sweeper deleted behind our back (Timer.delAll) has stopped sweeping: start another.
        if sweeper == nil || now &- lastSweep > 3_000_000_000 {
            if let sweeper { Timer.del(sweeper) }
            lastSweep = now
            sweeper = Timer.add(1) { sweep() }
        }
    }

    /// Stops watching `connection`; the sweeper stops with the last one.
    static func unwatch(_ connection: TcpConnection) {
        watched.removeValue(forKey: ObjectIdentifier(connection))
        if watched.isEmpty, let sweeper {
            Timer.del(sweeper)
            self.sweeper = nil
        }
    }

    private static func sweep() {
        let now = MonotonicClock.now()
        lastSweep = now
        for entry in Array(watched.values) { check(entry.connection, now: now) }
    }

    private static func check(_ connection: TcpConnection, now: UInt64) {
        guard connection.state == .established, let state = connection.protocolState as? HttpConnectionState,
            state.rejected == nil
        else { return }
        if state.head != nil {
            if state.bodyProgress.bytes != connection.bytesRead || state.bodyProgress.at == 0 {
                state.bodyProgress = (connection.bytesRead, now)
            } else if expired(since: state.bodyProgress.at, Http.bodyTimeout, now) {
                Http.reject(HttpError(408, "no request body byte for \(Http.bodyTimeout) s"), on: connection)
            }
        } else if state.headStartedAt != 0 {
            if expired(since: state.headStartedAt, Http.headerTimeout, now) {
                Http.reject(HttpError(408, "request head not complete after \(Http.headerTimeout) s"), on: connection)
            }
        } else if state.pending.isEmpty && state.stream == nil && connection.receiveBufferSize == 0 {
            if expired(since: state.idleSince, Http.keepAliveTimeout, now) { connection.close() }
        }
    }

    private static func expired(since start: UInt64, _ seconds: Double, _ now: UInt64) -> Bool {
        seconds > 0 && now &- start >= MonotonicClock.nanoseconds(fromSeconds: seconds)
    }
}
