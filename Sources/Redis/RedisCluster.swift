import WorkermanTimer

/// An asynchronous client of a Redis Cluster: the same command API and typed helpers as
/// `RedisClient` (both are `RedisCommands`), each command sent to the master that owns its key's
/// hash slot.
///
/// ```swift
/// let cluster = try RedisCluster(urls: ["redis://10.0.0.1:7000", "redis://10.0.0.2:7000"])
/// cluster.incr("user:{42}:visits") { result in ... }
/// ```
/// The slot map comes from `CLUSTER SLOTS` at start and again whenever Redis answers `MOVED` (the
/// command is sent again to the node it names: a redirected command was not run). `ASK` (a slot
/// being migrated) sends `ASKING` and the command to the importing node without changing the map;
/// `TRYAGAIN` retries shortly. At most `maxRedirects` redirections per command. One `RedisClient`
/// per master, made on first use, with the seed's credentials and `options`. Commands to one
/// master complete in order; commands to different masters may complete in any order.
/// Multi-key commands need their keys in one slot (use hash tags: `{user42}:a`, `{user42}:b`).
public final class RedisCluster: RedisService {
    private let seed: RedisEndpoint
    private let options: RedisOptions
    private var nodes: [String: RedisClient] = [:]
    private var slots: [String?] = Array(repeating: nil, count: RedisHashSlot.count)
    private var isRefreshing = false
    private var isClosed = false

    /// Redirections followed per command before it fails with the last `MOVED`/`ASK` error.
    public var maxRedirects = 5
    /// `MOVED` answers followed so far.
    public private(set) var movedCount = 0
    /// `ASK` answers followed so far.
    public private(set) var askCount = 0
    /// Called when a node's connection breaks or the slot map cannot be read.
    public var onError: ((RedisError) -> Void)?
    /// Called each time a connection to a node is made.
    public var onConnect: (() -> Void)?

    /// True while connected to at least one node.
    public var isConnected: Bool { nodes.values.contains { $0.isConnected } }

    /// A client of the cluster that `urls` (any of its nodes; the first is asked first) belong to.
    public init(urls: [String], options: RedisOptions = RedisOptions()) throws(RedisError) {
        guard let first = urls.first else { throw RedisError(.badAddress, "no cluster node address") }
        seed = try RedisEndpoint(url: first)
        self.options = options
        for url in urls.dropFirst() { _ = try RedisEndpoint(url: url) }
        refreshSlots()
    }

    deinit { close() }

    /// The master that owns `slot` in the current map, as "host:port"; nil while unknown.
    public func node(forSlot slot: Int) -> String? { slots[slot] }

    /// Closes every node's connection; later commands fail with `.closed`.
    public func close() {
        isClosed = true
        for client in nodes.values { client.close() }
    }

    /// Sends `command` to the master of its `routingKey`'s slot (any node when it has none).
    public func send(
        _ command: RedisCommand, timeout: Double? = nil, _ completion: @escaping RedisCompletion = { _ in }
    ) {
        let slot = command.routingKey.map { RedisHashSlot.slot($0) }
        dispatch(command, slot: slot, timeout: timeout, redirects: 0, asking: nil, completion)
    }

    private func dispatch(
        _ command: RedisCommand, slot: Int?, timeout: Double?, redirects: Int, asking: String?,
        _ completion: @escaping RedisCompletion
    ) {
        guard !isClosed else { return completion(.failure(RedisError(.closed, "the cluster client is closed"))) }
        let name = asking ?? slot.flatMap { slots[$0] } ?? "\(seed.host):\(seed.port)"
        guard let client = client(for: name) else {
            return completion(.failure(RedisError(.badAddress, "bad cluster node address \(name)")))
        }
        if asking != nil { client.send(RedisCommand("ASKING"), timeout: timeout) { _ in } }
        client.send(command, timeout: timeout) { [weak self] result in
            guard let self, case .failure(let error) = result else { return completion(result) }
            let words = error.message.split(separator: " ")
            guard error.kind == .server, redirects < self.maxRedirects else {
                if error.kind == .connectionLost || error.kind == .timeout { self.refreshSlots() }
                return completion(result)
            }
            switch error.code {
            case "MOVED" where words.count == 3:
                self.movedCount += 1
                let target = self.address(words[2])
                if let moved = Int(words[1]), moved < RedisHashSlot.count { self.slots[moved] = target }
                self.refreshSlots()
                self.dispatch(command, slot: slot, timeout: timeout, redirects: redirects + 1, asking: nil, completion)
            case "ASK" where words.count == 3:
                self.askCount += 1
                let target = self.address(words[2])
                self.dispatch(
                    command, slot: slot, timeout: timeout, redirects: redirects + 1, asking: target, completion)
            case "TRYAGAIN", "CLUSTERDOWN":
                Timer.add(0.05, persistent: false) { [weak self] in
                    self?.dispatch(
                        command, slot: slot, timeout: timeout, redirects: redirects + 1, asking: nil, completion)
                }
            default:
                completion(result)
            }
        }
    }

    /// "host:port" of a redirection (an empty host means the seed's).
    private func address(_ word: Substring) -> String {
        word.hasPrefix(":") ? seed.host + word : String(word)
    }

    private func client(for name: String) -> RedisClient? {
        if let client = nodes[name] { return client }
        guard let colon = name.lastIndex(of: ":"), let port = Int(name[name.index(after: colon)...]) else { return nil }
        var endpoint = RedisEndpoint(host: String(name[..<colon]), port: port, secure: seed.secure)
        endpoint.username = seed.username
        endpoint.password = seed.password
        let client = RedisClient(endpoint: endpoint, options: options)
        client.onError = { [weak self] in self?.onError?($0) }
        client.onConnect = { [weak self] in self?.onConnect?() }
        nodes[name] = client
        return client
    }

    /// Reads the slot map (`CLUSTER SLOTS`) from the seed, or from a known node.
    private func refreshSlots() {
        guard !isRefreshing, !isClosed else { return }
        let name = nodes.keys.sorted().first ?? "\(seed.host):\(seed.port)"
        guard let client = client(for: name) else { return }
        isRefreshing = true
        client.send(RedisCommand("CLUSTER", "SLOTS"), timeout: nil) { [weak self] result in
            guard let self else { return }
            self.isRefreshing = false
            switch result {
            case .success(let reply): self.apply(reply, askedHost: client.endpoint.host)
            case .failure(let error): self.onError?(error)
            }
        }
    }

    private func apply(_ reply: RedisReply, askedHost: String) {
        for range in reply.elements ?? [] {
            guard let parts = range.elements, parts.count >= 3, let start = parts[0].integer,
                let end = parts[1].integer,
                let master = parts[2].elements, master.count >= 2, let port = master[1].integer,
                start >= 0, end < RedisHashSlot.count, start <= end
            else { continue }
            let host = master[0].string.flatMap { $0.isEmpty || $0 == "?" ? nil : $0 } ?? askedHost
            let name = "\(host):\(port)"
            for slot in Int(start)...Int(end) { slots[slot] = name }
        }
    }
}
