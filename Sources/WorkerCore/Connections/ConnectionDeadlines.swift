import WorkermanTimer

/// The timer that enforces a Worker's deadlines in a process, and when it last ran.
struct DeadlineSweep {
    var timer: TimerID?
    var lastRun: UInt64 = 0
}

/// Deadlines: once a second, each Worker that has any looks at its connections and closes those
/// that took too long: a TLS handshake past `tlsHandshakeTimeout`, a connection silent past
/// `idleTimeout`, and whatever the protocol's `checkDeadlines` finds (an HTTP head too slow, a body
/// under its minimum rate, a WebSocket handshake never finished). The connections are the Worker's
/// own (`connections`), so a closed one, or one that changed protocol, is never looked at again.
extension Worker {
    /// Notes when `connection` was accepted and starts the sweep if this Worker needs one.
    func watchDeadlines(of connection: TcpConnection) {
        let now = MonotonicClock.now()
        connection.quiet.note(bytesRead: 0, now: now)
        let needed =
            (tls != nil && tlsHandshakeTimeout > 0) || idleTimeout > 0 || connection.driver?.hasDeadlines == true
        // A sweep deleted behind our back (Timer.delAll) has stopped running: start another.
        guard needed, deadlineSweep.timer == nil || now &- deadlineSweep.lastRun > 3_000_000_000 else { return }
        if let timer = deadlineSweep.timer { Timer.del(timer) }
        deadlineSweep.lastRun = now
        deadlineSweep.timer = Timer.add(1) { [weak self] in self?.sweepDeadlines() }
    }

    private func sweepDeadlines() {
        let now = MonotonicClock.now()
        deadlineSweep.lastRun = now
        guard !connections.isEmpty else {
            if let timer = deadlineSweep.timer { Timer.del(timer) }
            deadlineSweep.timer = nil
            return
        }
        for connection in Array(connections.values) { checkDeadlines(of: connection, now: now) }
    }

    private func checkDeadlines(of connection: TcpConnection, now: UInt64) {
        guard connection.state == .established else { return }
        if connection.quiet.changed(connection.bytesRead) {
            connection.quiet.note(bytesRead: connection.bytesRead, now: now)
        }
        let silence = connection.quiet.silence(now: now)
        if connection.isHandshaking {
            if tlsHandshakeTimeout > 0 && silence >= MonotonicClock.nanoseconds(fromSeconds: tlsHandshakeTimeout) {
                connection.fail("TLS handshake not complete after \(tlsHandshakeTimeout) s")
            }
            return
        }
        if idleTimeout > 0 && silence >= MonotonicClock.nanoseconds(fromSeconds: idleTimeout) {
            connection.close()
            return
        }
        // While this side does not read (paused, or held back by a full send buffer) the peer is not late.
        guard connection.isReading, let driver = connection.driver, driver.hasDeadlines else { return }
        connection.perform(driver.checkDeadlines(connection, now: now))
    }

    /// This process's Worker is leaving (a reload or a graceful stop is under way): each connection's
    /// protocol hears it once (`leaving`: HTTP answers the next request with `Connection: close`,
    /// WebSocket sends a 1001 close frame) and may close the connection at once. Accepting is not
    /// touched here: the caller stops it first.
    public func announceLeaving() {
        guard !isLeaving else { return }
        isLeaving = true
        for connection in Array(connections.values) where connection.state == .established && connection.isAnnounced {
            guard let driver = connection.driver else { continue }
            connection.perform(driver.leaving(connection))
        }
    }
}

extension TcpConnection {
    /// Does what a protocol's hook asked.
    func perform(_ action: ConnectionAction) {
        switch action {
        case .proceed: break
        case .close: close()
        case .replyAndClose(let bytes, _): close(.binary(bytes), raw: true)
        }
    }
}
