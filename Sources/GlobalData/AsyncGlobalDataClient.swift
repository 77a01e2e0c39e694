import WorkermanRedis

/// The non-blocking GlobalData client, for use inside a worker process: each call returns at once
/// and its completion runs on the event loop with the result.
///
/// ```swift
/// let global = try AsyncGlobalDataClient("127.0.0.1:2207")
/// global.increment("hits") { result in
///     if case .success(let count) = result { print("hit number \(count)") }
/// }
/// ```
/// The operations and their meaning are those of `GlobalDataClient`, with the same sharding over
/// several servers and the same two backends (GlobalData servers or Redis). Calls to one server
/// are pipelined on one connection and complete in order. When a connection breaks, its pending
/// calls complete with `.failure(.connection)` and the next call reconnects; a call unanswered
/// within `timeout` fails with `.timeout` (and so do the calls pipelined behind it).
public final class AsyncGlobalDataClient {
    private enum Backend {
        case servers([GlobalDataLink])
        case redis([any RedisCommands])
    }

    private let backend: Backend
    /// False when the program passed its own Redis client (then it closes it).
    private var ownsRedisClients = true

    /// A client of the servers at `addresses`: GlobalData servers ("127.0.0.1:2207") or Redis
    /// servers ("redis://127.0.0.1:6379/0", see `RedisEndpoint`), not both; connects on first use
    /// (Redis: at once). A call unanswered for `timeout` seconds fails with `.timeout`.
    public init(_ addresses: [String], timeout: Double = 5) throws(GlobalDataError) {
        guard !addresses.isEmpty else { throw GlobalDataError(.connection, "no server address") }
        if let clients = try RedisGlobalData.clients(addresses, timeout: timeout, RedisClient.init(url:options:)) {
            backend = .redis(clients)
            return
        }
        var links: [GlobalDataLink] = []
        for address in addresses {
            guard let server = KeySharding.split(address) else {
                throw GlobalDataError(.connection, "not a host:port or redis:// address: \(address)")
            }
            links.append(GlobalDataLink(host: server.host, port: server.port, timeout: timeout))
        }
        backend = .servers(links)
    }

    /// A client that keeps its data in Redis through `redis`: a `RedisClient`, or a `RedisCluster`
    /// (each key on the master of its hash slot).
    public init(redis: any RedisCommands) {
        backend = .redis([redis])
        ownsRedisClients = false
    }

    /// A client of the server at `address` ("127.0.0.1:2207" or "redis://127.0.0.1:6379").
    public convenience init(_ address: String = "127.0.0.1:2207", timeout: Double = 5) throws(GlobalDataError) {
        try self.init([address], timeout: timeout)
    }

    deinit {
        if case .redis(let clients) = backend, ownsRedisClients {
            for case let client as RedisClient in clients { client.close() }
        }
    }

    /// Calls waiting for a reply, over all servers.
    public var waitingCount: Int {
        switch backend {
        case .servers(let links): return links.reduce(0) { $0 + $1.waitingCount }
        case .redis(let clients): return clients.reduce(0) { $0 + (($1 as? RedisClient)?.pendingCount ?? 0) }
        }
    }

    /// The value of `key`, or nil when there is none.
    public func get(_ key: String, _ completion: @escaping (Result<Value?, GlobalDataError>) -> Void) {
        perform(.value(.get(key)), completion)
    }

    /// Stores `value` under `key`.
    public func set(
        _ key: String, _ value: Value, _ completion: @escaping (Result<Void, GlobalDataError>) -> Void = { _ in }
    ) {
        perform(.none(.set(key, value)), completion)
    }

    /// Whether `key` holds a value.
    public func isset(_ key: String, _ completion: @escaping (Result<Bool, GlobalDataError>) -> Void) {
        perform(.flag(.isset(key)), completion)
    }

    /// Deletes `key`; true when it existed.
    public func unset(_ key: String, _ completion: @escaping (Result<Bool, GlobalDataError>) -> Void = { _ in }) {
        perform(.flag(.unset(key)), completion)
    }

    /// Stores `value` only if `key` is missing; false when it exists.
    public func add(_ key: String, _ value: Value, _ completion: @escaping (Result<Bool, GlobalDataError>) -> Void) {
        perform(.flag(.add(key, value)), completion)
    }

    /// Replaces `old` (nil: a missing key) with `new`, atomically; false when the value differed.
    public func cas(
        _ key: String, _ old: Value?, _ new: Value, _ completion: @escaping (Result<Bool, GlobalDataError>) -> Void
    ) {
        perform(.flag(.cas(key, expected: old, new: new)), completion)
    }

    /// Adds `step` to the number under `key` and completes with the new value; a missing key
    /// counts as 0. The rules are `GlobalDataClient.increment`'s.
    public func increment(
        _ key: String, by step: Int = 1, _ completion: @escaping (Result<Value, GlobalDataError>) -> Void = { _ in }
    ) {
        perform(.number(.increment(key, step: Value(step))), completion)
    }

    /// Subtracts `step` from the number under `key`: `increment(key, by: -step)`.
    public func decrement(
        _ key: String, by step: Int = 1, _ completion: @escaping (Result<Value, GlobalDataError>) -> Void = { _ in }
    ) {
        guard step != .min else {
            return completion(
                .failure(GlobalDataError(.overflow, "decrement \(key) by \(step): past the 64-bit range")))
        }
        increment(key, by: -step, completion)
    }

    private func perform<Output>(
        _ call: GlobalDataCall<Output>, _ completion: @escaping (Result<Output, GlobalDataError>) -> Void
    ) {
        switch backend {
        case .servers(let links):
            let link = links[KeySharding.server(for: call.request.key, count: links.count)]
            link.send(call.payload) { reply in
                completion(reply.flatMap { call.result(from: $0) })
            }
        case .redis(let clients):
            let client = clients[KeySharding.server(for: call.request.key, count: clients.count)]
            RedisGlobalData.run(RedisGlobalData.step(for: call.request), on: client) { value in
                completion(value.flatMap { call.result(fromValue: $0) })
            }
        }
    }
}
