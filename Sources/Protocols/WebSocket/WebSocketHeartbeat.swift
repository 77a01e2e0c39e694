import WorkermanCore
import WorkermanTimer

extension WebSocketSession {
    /// Starts the timer that sends pings every `pingInterval` and closes the connection after
    /// `idleTimeout` without a frame from the peer; nothing when both are 0.
    func startHeartbeat() {
        let periods = [options.pingInterval, options.idleTimeout].filter { $0 > 0 }
        guard let shortest = periods.min() else { return }
        let now = MonotonicClock.now()
        lastReceived = now
        lastPingSent = now
        heartbeat = Timer.add(max(0.01, shortest / 4)) { self.beat() }  // deleted by `reset`
    }

    private func beat() {
        guard phase == .open else { return }
        let now = MonotonicClock.now()
        if options.idleTimeout > 0 && now - lastReceived >= MonotonicClock.nanoseconds(fromSeconds: options.idleTimeout)
        {
            close(code: WebSocketCloseCode.goingAway, reason: "idle timeout")
            return
        }
        if options.pingInterval > 0
            && now - lastPingSent >= MonotonicClock.nanoseconds(fromSeconds: options.pingInterval)
        {
            lastPingSent = now
            ping()
        }
    }
}
