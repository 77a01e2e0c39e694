import WorkermanCore
import WorkermanProtocols
import WorkermanRedis
import WorkermanTimer

/// The state behind `ChannelClient`: the connection, the callbacks, the unsent buffer and the
/// timers. One per process; everything runs on the process's event loop.
final class ChannelSession {
    struct QueueWatch {
        let autoReserve: Bool
        let callback: (Value) -> Void
    }

    static let defaultAddress = "frame://127.0.0.1:2206"

    var fallback: ((String, Value) -> Void)?
    var onConnect: (() -> Void)?
    var onClose: (() -> Void)?
    var onError: ((ChannelError) -> Void)?
    var maxBufferedBytes = 1024 * 1024
    var pingInterval = 55.0
    var reconnectDelays = [0.05, 0.1, 0.2, 0.4, 0.8, 1.0]
    var redeliveryDelay = 30.0
    /// The Redis backend, when `connect(url:)` named a Redis server.
    private var redis: RedisChannel?

    private var isFrameConnected = false
    /// True while connected to the Channel server (or to Redis).
    var isConnected: Bool { redis?.isConnected ?? isFrameConnected }
    /// The server's address, once `connect` (or a first operation) named it.
    private var address: String?
    private var connection: AsyncTcpConnection?
    private var reconnectTimer: TimerID?
    /// Every event subscribed to, with or without a callback of its own.
    private var subscribedEvents: Set<String> = []
    private var eventHandlers: [String: (Value) -> Void] = [:]
    private var queueWatches: [String: QueueWatch] = [:]
    /// Publishes and enqueues made while disconnected, oldest first.
    private var unsent: [ByteBuffer] = []
    private var unsentBytes = 0
    private var failedAttempts = 0
    private var pingTimer: TimerID?

    // MARK: connection

    deinit { close() }

    func connect(to address: String) {
        guard self.address == nil else { return }
        self.address = address
        open()
    }

    /// Connects to Redis at `url` (`redis://`, `rediss://`, `unix://`) and restores what was
    /// subscribed and watched before.
    func connect(redis url: String, cluster: [String]? = nil) {
        guard address == nil else { return }
        do {
            let made = try RedisChannel(url: url, cluster: cluster, session: self)
            address = url
            redis = made
            if !subscribedEvents.isEmpty { made.subscribe(Array(subscribedEvents)) }
            for (queue, watch) in queueWatches { made.watch(queue, autoReserve: watch.autoReserve) }
        } catch {
            report(ChannelError(.connectFailed, error.description))
        }
    }

    /// Makes a new connection (each attempt gets a fresh one, so a dead one can never come back).
    private func open() {
        reconnectTimer = nil
        guard let address, connection == nil, redis == nil else { return }
        let made: AsyncTcpConnection
        do {
            made = try AsyncTcpConnection(address)
        } catch {
            report(ChannelError(.connectFailed, "\(error)"))
            self.address = nil
            return
        }
        made.protocol = Frame.self
        made.onConnect = { [unowned self] _ in connectionMade() }
        made.onMessage = { [unowned self] _, message in receive(message.bytes) }
        made.onError = { [unowned self] _, code, reason in
            report(ChannelError(code == .connectFail ? .connectFailed : .sendFailed, reason))
        }
        made.onClose = { [unowned self] _ in connectionLost() }
        connection = made
        made.connect()
    }

    /// Closes for good: no reconnect.
    func close() {
        redis?.close()
        redis = nil
        if let pingTimer { Timer.del(pingTimer) }
        if let reconnectTimer { Timer.del(reconnectTimer) }
        pingTimer = nil
        reconnectTimer = nil
        guard let connection else { return }
        self.connection = nil
        connection.onClose = nil
        connection.destroy()
        isFrameConnected = false
    }

    private func connectionMade() {
        isFrameConnected = true
        failedAttempts = 0
        if !subscribedEvents.isEmpty { send(ChannelWire.request(.subscribe, names: Array(subscribedEvents))) }
        if !queueWatches.isEmpty { send(ChannelWire.request(.watch, names: Array(queueWatches.keys))) }
        if queueWatches.values.contains(where: \.autoReserve) { send(ChannelWire.request(.reserve)) }
        let waiting = unsent
        unsent = []
        unsentBytes = 0
        for request in waiting { send(request) }
        if pingTimer == nil {
            pingTimer = Timer.add(pingInterval) { [unowned self] in
                if isFrameConnected { connection?.send(.binary([])) }
            }
        }
        onConnect?()
    }

    private func connectionLost() {
        let wasConnected = isFrameConnected
        isFrameConnected = false
        connection = nil
        let delay = reconnectDelays.isEmpty ? 1 : reconnectDelays[min(failedAttempts, reconnectDelays.count - 1)]
        failedAttempts += 1
        reconnectTimer = Timer.add(delay, persistent: false) { [unowned self] in open() }
        if wasConnected { onClose?() }
    }

    private func ensureConnection() {
        if address == nil { connect(to: Self.defaultAddress) }
    }

    /// Sends a request now when connected; otherwise does nothing (state requests are replayed
    /// from the handlers on connect).
    private func send(_ request: ByteBuffer) {
        guard isFrameConnected, let connection else { return }
        connection.send(.object(request))
    }

    /// Sends a publish or enqueue now, or keeps it for the connection; false when dropped.
    private func sendOrKeep(_ request: ByteBuffer, what: String) -> Bool {
        ensureConnection()
        if isFrameConnected, let connection { return connection.send(.object(request)) != .failed }
        guard unsentBytes + request.readableBytes <= maxBufferedBytes else {
            report(
                ChannelError(
                    .bufferFull,
                    "not connected and \(unsentBytes) bytes already buffered (maxBufferedBytes \(maxBufferedBytes)): "
                        + "\(what) dropped"))
            return false
        }
        unsent.append(request)
        unsentBytes += request.readableBytes
        return true
    }

    func report(_ error: ChannelError) {
        if let onError {
            onError(error)
        } else {
            Log.write("ChannelClient: \(error)")
        }
    }

    // MARK: operations

    func on(_ event: String, _ callback: @escaping (Value) -> Void) {
        eventHandlers[event] = callback
        subscribe([event])
    }

    func subscribe(_ events: [String]) {
        ensureConnection()
        let new = events.filter { subscribedEvents.insert($0).inserted }
        if let redis {
            redis.subscribe(new)
        } else if !new.isEmpty {
            send(ChannelWire.request(.subscribe, names: new))
        }
    }

    func unsubscribe(_ events: [String]) {
        for event in events {
            eventHandlers[event] = nil
            subscribedEvents.remove(event)
        }
        if let redis { return redis.unsubscribe(events) }
        send(ChannelWire.request(.unsubscribe, names: events))
    }

    func publish(_ events: [String], _ data: Value, loop: Bool) -> Bool {
        ensureConnection()
        if let redis { return redis.publish(events, data, loop: loop) }
        let request = ChannelWire.request(loop ? .publishLoop : .publish, names: events, data: data)
        return sendOrKeep(request, what: "publish to \(events)")
    }

    func watch(_ queue: String, autoReserve: Bool, _ callback: @escaping (Value) -> Void) {
        ensureConnection()
        let isNew =
            queueWatches.updateValue(QueueWatch(autoReserve: autoReserve, callback: callback), forKey: queue) == nil
        guard isNew else { return }
        if let redis { return redis.watch(queue, autoReserve: autoReserve) }
        send(ChannelWire.request(.watch, names: [queue]))
        if autoReserve { send(ChannelWire.request(.reserve)) }
    }

    func unwatch(_ queues: [String]) {
        for queue in queues { queueWatches[queue] = nil }
        if let redis { return redis.unwatch(queues) }
        send(ChannelWire.request(.unwatch, names: queues))
    }

    func enqueue(_ queues: [String], _ data: Value) -> Bool {
        ensureConnection()
        if let redis { return redis.enqueue(queues, data) }
        return sendOrKeep(ChannelWire.request(.enqueue, names: queues, data: data), what: "enqueue to \(queues)")
    }

    func reserve() {
        if let redis { return redis.reserve() }
        send(ChannelWire.request(.reserve))
    }

    // MARK: deliveries

    private func receive(_ payload: [UInt8]) {
        guard !payload.isEmpty else { return }  // a ping
        let parsed = payload.withUnsafeBytes { raw in
            Result { () throws(MessagePackError) -> (ChannelDelivery, String, Value) in
                var reader = MessagePackReader(ByteView(raw))
                guard try reader.readArrayHeader() == 3, let kind = ChannelDelivery(rawValue: try reader.readInteger())
                else { throw MessagePackError("not a delivery") }
                return (kind, try reader.readString(), try reader.readValue())
            }
        }
        guard case .success(let (kind, name, data)) = parsed else {
            if case .failure(let error) = parsed { report(ChannelError(.badDelivery, error.description)) }
            return
        }
        deliver(kind, name, data)
    }

    /// Runs the callback of an event or a queue message (from the Channel server or from Redis).
    func deliver(_ kind: ChannelDelivery, _ name: String, _ data: Value) {
        switch kind {
        case .event:
            if let handler = eventHandlers[name] {
                handler(data)
            } else if let fallback {
                fallback(name, data)
            } else {
                report(ChannelError(.badDelivery, "event '\(name)' has no callback and onMessage is not set"))
            }
        case .queue:
            guard let watch = queueWatches[name] else { return }
            watch.callback(data)
            if watch.autoReserve && redis == nil { reserve() }
        }
    }
}
