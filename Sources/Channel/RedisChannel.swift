import Glibc
import WorkermanCore
import WorkermanRedis
import WorkermanTimer

/// `ChannelClient` over Redis (`ChannelClient.connect(url: "redis://...")`): the same API, on an
/// engine that several machines share.
///
/// - `on` / `subscribe` / `publish` / `unsubscribe`: Redis pub/sub on the event's name (a
///   subscriber connection of its own). At most once: what is published while a subscriber is
///   disconnected (or Redis is down) is lost for it, as with our own Channel server.
/// - `publishLoop` and queues (`enqueue` / `watch` / `reserve`): Redis Streams with one consumer
///   group, `workerman`, per stream (`{workerman}:loop:<event>`, `{workerman}:queue:<name>`), read with
///   `XREADGROUP ... BLOCK` on a connection of its own. Each message goes to one consumer and is
///   acknowledged (`XACK`, then `XDEL`) after its callback returns. At least once: a message whose
///   consumer died (kill -9) before acknowledging it is claimed by another consumer after
///   `ChannelClient.redeliveryDelay` seconds (`XAUTOCLAIM`), and an enqueue whose connection broke
///   is sent again. Messages wait in Redis while no consumer reads (and survive a Redis restart
///   when Redis persists its data, e.g. `appendonly yes`).
///
/// Data travels as JSON (`Value.json`), so programs in other languages can publish and consume.
final class RedisChannel {
    static let group = "workerman"
    // One hash tag for every stream, so that one XREADGROUP reads them all on a Redis Cluster too
    // (they then live on one master).
    static let loopPrefix = "{workerman}:loop:"
    static let queuePrefix = "{workerman}:queue:"

    private unowned let session: ChannelSession
    private let commands: any RedisService
    private let reader: any RedisService
    private let subscriber: RedisSubscriber
    private let consumer: String
    /// Streams read, by key: nil credit for events and auto-reserving queues, else reserves left.
    private var streams: [String: Int?] = [:]
    private var isReading = false
    private var claimTimer: TimerID?
    private var wasConnected = false
    private let blockMilliseconds = 1000

    /// Channel over the Redis server at `url`, or over the Redis Cluster that `clusterURLs` belong to
    /// (pub/sub on the first node: a cluster forwards every publish to every node).
    init(url: String, cluster clusterURLs: [String]? = nil, session: ChannelSession) throws(RedisError) {
        self.session = session
        var options = RedisOptions()
        options.reconnectDelays = session.reconnectDelays
        options.maxQueuedCommands = 100_000
        if let clusterURLs {
            commands = try RedisCluster(urls: clusterURLs, options: options)
            reader = try RedisCluster(urls: clusterURLs, options: options)
        } else {
            commands = try RedisClient(url: url, options: options)
            reader = try RedisClient(url: url, options: options)
        }
        subscriber = try RedisSubscriber(url: url, options: options)
        var name = [CChar](repeating: 0, count: 256)
        gethostname(&name, 255)
        let host = name.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        consumer = "\(host)-\(getpid())"
        commands.onConnect = { [weak self] in self?.connected() }
        commands.onError = { [weak self] error in self?.lost(error) }
        commands.command("PING")  // a cluster client connects on its first command
        claimTimer = Timer.add(max(0.05, session.redeliveryDelay / 2)) { [weak self] in self?.claimAbandoned() }
    }

    var isConnected: Bool { commands.isConnected }

    func close() {
        if let claimTimer { Timer.del(claimTimer) }
        claimTimer = nil
        commands.close()
        reader.close()
        subscriber.close()
    }

    private func connected() {
        wasConnected = true
        for key in streams.keys { createGroup(key) }
        session.onConnect?()
    }

    private func lost(_ error: RedisError) {
        session.report(ChannelError(error.kind == .handshake ? .connectFailed : .sendFailed, error.description))
        if wasConnected && !commands.isConnected {
            wasConnected = false
            session.onClose?()
        }
    }

    // MARK: pub/sub

    func subscribe(_ events: [String]) {
        for event in events {
            subscriber.subscribe(event) { [weak self] message in
                self?.session.deliver(.event, event, Self.decode(message.payload))
            }
            addStream(Self.loopPrefix + event, credit: nil)
        }
    }

    func unsubscribe(_ events: [String]) {
        for event in events {
            subscriber.unsubscribe(event)
            streams[Self.loopPrefix + event] = nil
        }
    }

    func publish(_ events: [String], _ data: Value, loop: Bool) -> Bool {
        let payload = data.json
        var accepted = true
        for event in events {
            let command =
                loop
                ? RedisCommand("XADD", Self.loopPrefix + event, "*", "d", payload)
                : RedisCommand("PUBLISH", event, payload)
            accepted = send(command, what: "publish to \(event)") && accepted
        }
        return accepted
    }

    // MARK: queues

    func watch(_ queue: String, autoReserve: Bool) {
        addStream(Self.queuePrefix + queue, credit: autoReserve ? nil : 0)
    }

    func unwatch(_ queues: [String]) {
        for queue in queues { streams[Self.queuePrefix + queue] = nil }
    }

    func enqueue(_ queues: [String], _ data: Value) -> Bool {
        let payload = data.json
        var accepted = true
        for queue in queues {
            let key = Self.queuePrefix + queue
            createGroup(key)
            accepted =
                send(RedisCommand("XADD", key, "*", "d", payload), what: "enqueue to \(queue)", retries: 3) && accepted
        }
        return accepted
    }

    func reserve() {
        for (key, credit) in streams {
            if let credit { streams[key] = .some(credit + 1) }
        }
        readNext()
    }

    // MARK: reading streams

    private func addStream(_ key: String, credit: Int?) {
        if streams[key] == nil { createGroup(key) }
        streams[key] = .some(credit)
        readNext()
    }

    private func createGroup(_ key: String) {
        commands.command("XGROUP", "CREATE", key, Self.group, "0", "MKSTREAM") { _ in }  // BUSYGROUP: it exists
    }

    private func readNext() {
        guard !isReading else { return }
        let keys = streams.filter { $0.value.map { $0 > 0 } ?? true }.keys.sorted()
        guard !keys.isEmpty else { return }
        isReading = true
        let arguments: [any RedisArgument] =
            ["GROUP", Self.group, consumer, "COUNT", 1, "BLOCK", blockMilliseconds, "STREAMS"] + keys
            + Array(repeating: ">", count: keys.count)
        reader.send(RedisCommand("XREADGROUP", arguments: arguments), timeout: Double(blockMilliseconds) / 1000 + 5) {
            [weak self] result in
            guard let self else { return }
            isReading = false
            switch result {
            case .success(let reply):
                deliver(Self.streamEntries(reply))
                readNext()
            case .failure(let error):
                if error.kind == .closed { return }
                if error.code == "NOGROUP" { for key in keys { createGroup(key) } }
                Timer.add(0.1, persistent: false) { [weak self] in self?.readNext() }
            }
        }
    }

    /// Redelivers what dead consumers left unacknowledged.
    private func claimAbandoned() {
        let idle = Int(session.redeliveryDelay * 1000)
        for key in streams.keys {
            commands.command("XAUTOCLAIM", key, Self.group, consumer, idle, "0-0", "COUNT", 100) { [weak self] result in
                guard let self, case .success(let reply) = result, let claimed = reply.elements, claimed.count >= 2
                else { return }
                deliver(Self.entries(of: key, claimed[1]))
            }
        }
    }

    private func deliver(_ entries: [(key: String, id: [UInt8], data: [UInt8]?)]) {
        for entry in entries {
            if let data = entry.data, streams[entry.key] != nil {
                if entry.key.hasPrefix(Self.queuePrefix) {
                    if let credit = streams[entry.key], let left = credit {
                        streams[entry.key] = .some(max(0, left - 1))
                    }
                    session.deliver(.queue, String(entry.key.dropFirst(Self.queuePrefix.count)), Self.decode(data))
                } else {
                    session.deliver(.event, String(entry.key.dropFirst(Self.loopPrefix.count)), Self.decode(data))
                }
            }
            commands.command("XACK", entry.key, Self.group, entry.id)
            commands.command("XDEL", entry.key, entry.id)
        }
    }

    /// The entries of an XREADGROUP reply (RESP2 arrays or a RESP3 map), with their stream keys.
    private static func streamEntries(_ reply: RedisReply) -> [(key: String, id: [UInt8], data: [UInt8]?)] {
        var result: [(key: String, id: [UInt8], data: [UInt8]?)] = []
        var streams: [(RedisReply, RedisReply)] = []
        if case .map(let pairs) = reply {
            streams = pairs.map { ($0.key, $0.value) }
        } else if let elements = reply.elements {
            streams = elements.compactMap { $0.elements.flatMap { $0.count == 2 ? ($0[0], $0[1]) : nil } }
        }
        for (key, entries) in streams {
            guard let name = key.string else { continue }
            result += Self.entries(of: name, entries)
        }
        return result
    }

    /// `[[id, [field, value, ...]], ...]` as entries whose data is the field `d`.
    private static func entries(of key: String, _ list: RedisReply) -> [(key: String, id: [UInt8], data: [UInt8]?)] {
        (list.elements ?? []).compactMap { entry in
            guard let parts = entry.elements, parts.count == 2, let id = parts[0].bytes else { return nil }
            let fields = parts[1].elements ?? []
            var data: [UInt8]?
            var index = 0
            while index + 1 < fields.count {
                if fields[index].string == "d" { data = fields[index + 1].bytes }
                index += 2
            }
            return (key, id, data)
        }
    }

    private static func decode(_ bytes: [UInt8]) -> Value {
        (try? Value(json: bytes)) ?? String(validating: bytes, as: UTF8.self).map { .string($0) } ?? .bytes(bytes)
    }

    /// Sends a publish or enqueue; false when the client's queue is full at once. A later failure is
    /// reported (`onError`); with `retries`, a command whose connection broke is sent again.
    private func send(_ command: RedisCommand, what: String, retries: Int = 0) -> Bool {
        var refusedAtOnce = false
        var returned = false
        commands.send(command, timeout: nil) { [weak self] result in
            guard case .failure(let error) = result else { return }
            if !returned && error.kind == .queueFull {
                refusedAtOnce = true
                self?.session.report(ChannelError(.bufferFull, "\(what) dropped: \(error.message)"))
                return
            }
            if retries > 0 && (error.kind == .connectionLost || error.kind == .timeout), let self {
                _ = self.send(command, what: what, retries: retries - 1)
                return
            }
            self?.session.report(ChannelError(.sendFailed, "\(what): \(error)"))
        }
        returned = true
        return !refusedAtOnce
    }
}
