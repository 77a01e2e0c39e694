import WorkermanCore
import WorkermanTimer

/// A session's heartbeat: the timer, and when a frame last arrived and a ping last left.
final class WebSocketHeartbeat {
    let timer: TimerID
    var lastReceived: UInt64
    var lastPingSent: UInt64

    init(timer: TimerID, now: UInt64) {
        self.timer = timer
        lastReceived = now
        lastPingSent = now
    }
}

extension WebSocketSession {
    /// Starts the timer that sends pings every `pingInterval` and closes the connection after
    /// `idleTimeout` without a frame from the peer; nothing when both are 0.
    func startHeartbeat() {
        let periods = [options.pingInterval, options.idleTimeout].filter { $0 > 0 }
        guard let shortest = periods.min() else { return }
        let timer = Timer.add(max(0.01, shortest / 4)) { self.beat() }  // deleted by `reset`
        heartbeat = WebSocketHeartbeat(timer: timer, now: MonotonicClock.now())
    }

    private func beat() {
        guard phase == .open, let heartbeat else { return }
        let now = MonotonicClock.now()
        if options.idleTimeout > 0
            && now - heartbeat.lastReceived >= MonotonicClock.nanoseconds(fromSeconds: options.idleTimeout)
        {
            close(code: WebSocketCloseCode.goingAway, reason: "idle timeout")
            return
        }
        if options.pingInterval > 0
            && now - heartbeat.lastPingSent >= MonotonicClock.nanoseconds(fromSeconds: options.pingInterval)
        {
            heartbeat.lastPingSent = now
            ping()
        }
    }
}
