import WorkermanCore
import WorkermanTimer

/// A business worker's connection to a gateway process.
final class WorkerLink {
    let key: String
    let connection: TcpConnection
    /// Clients routed to it (sticky router).
    var clientCount = 0
    /// It said it is leaving: nothing new is routed to it.
    var isLeaving = false

    init(key: String, connection: TcpConnection) {
        self.key = key
        self.connection = connection
    }
}

extension Gateway {
    // MARK: client events to business workers

    /// Sends a client's event to its business worker, or holds it (in order) when the worker is
    /// leaving or none is connected.
    func sendToWorker(_ command: GatewayCommand, _ record: ClientRecord, body: [UInt8] = []) {
        var frame = record.header
        frame.command = command
        frame.extData = record.session
        frame.setBody(bytes: body)
        dispatch(frame, for: record)
    }

    /// The same with a non-scalar body (the websocket handshake's arrays).
    func sendToWorker(_ command: GatewayCommand, _ record: ClientRecord, value: PHPValue) {
        var frame = GatewayFrame(command, body: value)
        frame.localIP = record.header.localIP
        frame.localPort = record.header.localPort
        frame.clientIP = record.header.clientIP
        frame.clientPort = record.header.clientPort
        frame.connectionID = record.connectionID
        frame.gatewayPort = record.header.gatewayPort
        frame.extData = record.session
        dispatch(frame, for: record)
    }

    private func dispatch(_ frame: GatewayFrame, for record: ClientRecord) {
        if record.held.isEmpty, let link = route(record, frame.command) {
            send(frame, over: link)
            return
        }
        hold(frame, for: record)
    }

    private func send(_ frame: GatewayFrame, over link: WorkerLink) {
        if link.connection.send(.object(frame)) == .failed {
            Log.write("Gateway: sending \(frame.command) to business worker \(link.key) failed (send buffer full?)")
        }
    }

    private func hold(_ frame: GatewayFrame, for record: ClientRecord) {
        if record.held.isEmpty { record.heldSince = MonotonicClock.now() }
        record.held.append(frame)
        heldClients[record.connectionID] = record
        if holdTimer == nil {
            holdTimer = Timer.add(1) { [self] in expireHeld() }
        }
    }

    /// The business worker for `record`'s next event, nil when it must wait.
    private func route(_ record: ClientRecord, _ command: GatewayCommand) -> WorkerLink? {
        if case .sticky = router, let key = record.workerKey {  // the common case: no list built
            if let link = workerLinks[key] { return link.isLeaving ? nil : link }
            unbind(record)
        }
        let available = workerOrder.compactMap { workerLinks[$0] }.filter { !$0.isLeaving }
        switch router {
        case .sticky:
            guard let pick = available.min(by: { $0.clientCount < $1.clientCount }) else { return nil }
            record.workerKey = pick.key
            pick.clientCount += 1
            return pick
        case .random:
            return available.randomElement()
        case .custom(let choose):
            guard !available.isEmpty, let key = choose(available.map(\.key), record.clientID, command) else {
                return nil
            }
            return workerLinks[key].flatMap { $0.isLeaving ? nil : $0 }
        }
    }

    private func unbind(_ record: ClientRecord) {
        if let key = record.workerKey, let link = workerLinks[key] { link.clientCount -= 1 }
        record.workerKey = nil
    }

    /// Forgets a closed client's routing once its last event went out.
    func releaseIfDone(_ record: ClientRecord) {
        guard record.isClosed, record.held.isEmpty else { return }
        unbind(record)
        heldClients[record.connectionID] = nil
    }

    /// Sends the held events that can go now, oldest first.
    func flushHeld() {
        for record in heldClients.values.sorted(by: { $0.heldSince < $1.heldSince }) {
            while let frame = record.held.first, let link = route(record, frame.command) {
                record.held.removeFirst()
                send(frame, over: link)
            }
            if record.held.isEmpty {
                heldClients[record.connectionID] = nil
                releaseIfDone(record)
            }
        }
        if heldClients.isEmpty, let holdTimer {
            Timer.del(holdTimer)
            self.holdTimer = nil
        }
    }

    /// Closes clients whose events waited longer than `workerWaitTimeout`.
    private func expireHeld() {
        flushHeld()
        let limit = UInt64(workerWaitTimeout * 1e9)
        let now = MonotonicClock.now()
        for record in heldClients.values where now - record.heldSince > limit {
            Log.write(
                "Gateway: no business worker took client \(record.clientID)'s events for \(workerWaitTimeout) s; "
                    + "closing it (\(record.held.count) event(s) dropped)")
            record.held.removeAll()
            heldClients[record.connectionID] = nil
            record.connection.destroy()
            releaseIfDone(record)
        }
    }

    // MARK: business worker connections

    func workerConnected(_ connection: TcpConnection, key: String) {
        if let old = workerLinks[key] {
            Log.write("Gateway: business worker key \(key) connected twice; closing the older connection")
            old.connection.close()
            workerGone(key)
        }
        connection.context[.gatewayWorkerKey] = key
        workerLinks[key] = WorkerLink(key: key, connection: connection)
        workerOrder.append(key)
        onBusinessWorkerConnected?(BusinessWorkerInfo(key: key, remoteAddress: connection.getRemoteAddress()))
        flushHeld()
    }

    /// The worker said it is leaving: route nothing more to it and acknowledge, so that it knows
    /// every event sent to it came before the acknowledgement.
    func workerLeaving(_ connection: TcpConnection) {
        guard let key = connection.context[.gatewayWorkerKey], let link = workerLinks[key] else { return }
        link.isLeaving = true
        connection.send(.object(GatewayFrame(.leaveAcknowledged)))
    }

    func innerClosed(_ connection: TcpConnection) {
        guard let key = connection.context[.gatewayWorkerKey], workerLinks[key]?.connection === connection else {
            return
        }
        workerGone(key)
        onBusinessWorkerClose?(BusinessWorkerInfo(key: key, remoteAddress: connection.getRemoteAddress()))
        flushHeld()
    }

    /// Drops a worker: its clients are routed afresh at their next event.
    private func workerGone(_ key: String) {
        workerLinks[key] = nil
        workerOrder.removeAll { $0 == key }
        for record in clients.values where record.workerKey == key { record.workerKey = nil }
        for record in heldClients.values where record.workerKey == key { record.workerKey = nil }
    }
}
