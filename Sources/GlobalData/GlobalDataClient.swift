import WorkermanRedis

/// The blocking GlobalData client: Workerman's `GlobalData\Client`, for code that may block (a
/// command-line tool, a request handler that can wait a millisecond). Inside a busy worker prefer
/// `AsyncGlobalDataClient`, which never blocks the event loop.
///
/// ```swift
/// let global = try GlobalDataClient("127.0.0.1:2207")   // $global = new GlobalData\Client('127.0.0.1:2207');
/// try global.set("abc", [1, 2, 3])                      // $global->abc = [1, 2, 3];
/// try global.get("abc")                                 // $global->abc
/// try global.add("counter", 0)                          // $global->add('counter', 0)
/// try global.increment("counter")                       // $global->increment('counter')
/// try global.cas("counter", 1, 18)                      // $global->cas('counter', 1, 18)
/// ```
/// Give several addresses for a cluster: each key lives on one server, chosen by `KeySharding`
/// (CRC-32 of the key), so every client with the same list agrees. One request is in flight per
/// server; each waits at most `timeout` seconds. A broken connection is reopened by the next call.
/// Values come back as copies: change a value and `set` it again.
public final class GlobalDataClient {
    private let servers: [(host: String, port: UInt16)]
    private var sockets: [BlockingFrameSocket?]
    private let redis: [BlockingRedisClient]
    /// The longest wait for a connect, a send or a reply (seconds).
    public let timeout: Double

    /// A client of the servers at `addresses`: GlobalData servers ("127.0.0.1:2207") or Redis
    /// servers ("redis://127.0.0.1:6379/0"), not both; connects on first use.
    public init(_ addresses: [String], timeout: Double = 5) throws(GlobalDataError) {
        guard !addresses.isEmpty else { throw GlobalDataError(.connection, "no server address") }
        self.timeout = timeout
        if let clients = try RedisGlobalData.clients(
            addresses, timeout: timeout, BlockingRedisClient.init(url:options:))
        {
            redis = clients
            servers = []
            sockets = []
            return
        }
        var servers: [(host: String, port: UInt16)] = []
        for address in addresses {
            guard let server = KeySharding.split(address) else {
                throw GlobalDataError(.connection, "not a host:port or redis:// address: \(address)")
            }
            servers.append(server)
        }
        self.servers = servers
        sockets = Array(repeating: nil, count: servers.count)
        redis = []
    }

    /// A client of the server at `address` ("127.0.0.1:2207" or "redis://127.0.0.1:6379").
    public convenience init(_ address: String = "127.0.0.1:2207", timeout: Double = 5) throws(GlobalDataError) {
        try self.init([address], timeout: timeout)
    }

    /// The value of `key`, or nil when there is none (`$global->key`).
    public func get(_ key: String) throws(GlobalDataError) -> Value? { try perform(.value(.get(key))) }

    /// Stores `value` under `key` (`$global->key = value`).
    public func set(_ key: String, _ value: Value) throws(GlobalDataError) { try perform(.none(.set(key, value))) }

    /// True when `key` holds a value, `.null` included (`isset($global->key)`).
    public func isset(_ key: String) throws(GlobalDataError) -> Bool { try perform(.flag(.isset(key))) }

    /// Deletes `key`; true when it existed (`unset($global->key)`).
    @discardableResult
    public func unset(_ key: String) throws(GlobalDataError) -> Bool { try perform(.flag(.unset(key))) }

    /// Stores `value` only if `key` is missing; false when it exists (then nothing changes).
    @discardableResult
    public func add(_ key: String, _ value: Value) throws(GlobalDataError) -> Bool {
        try perform(.flag(.add(key, value)))
    }

    /// Replaces the value of `key` with `new` if it still equals `old` (nil: if the key is still
    /// missing); false when someone changed it first. Atomic.
    public func cas(_ key: String, _ old: Value?, _ new: Value) throws(GlobalDataError) -> Bool {
        try perform(.flag(.cas(key, expected: old, new: new)))
    }

    /// Adds `step` to the number under `key` and returns the new value. Atomic. The rules, the
    /// same on a GlobalData server and on Redis:
    /// - a missing key counts as 0: it is created holding `step` (as Redis's `INCRBY`);
    /// - an integer stays an exact 64-bit integer; a sum past `Int64.max` or below `Int64.min`
    ///   throws `.overflow` and leaves the value as it was (no wrapping, no turning into a double);
    /// - a double gives a double (on Redis through `INCRBYFLOAT`, whose whole results read back
    ///   as integers);
    /// - anything else (text, a list, a bool) throws `.notANumber` and leaves it as it was.
    @discardableResult
    public func increment(_ key: String, by step: Int = 1) throws(GlobalDataError) -> Value {
        try perform(.number(.increment(key, step: Value(step))))
    }

    /// Subtracts `step` from the number under `key`: `increment(key, by: -step)`.
    @discardableResult
    public func decrement(_ key: String, by step: Int = 1) throws(GlobalDataError) -> Value {
        guard step != .min else {
            throw GlobalDataError(.overflow, "decrement \(key) by \(step): past the 64-bit range")
        }
        return try increment(key, by: -step)
    }

    /// Sends one request to the server holding its key and waits for the reply.
    func perform<Output>(_ call: GlobalDataCall<Output>) throws(GlobalDataError) -> Output {
        if !redis.isEmpty {
            let client = redis[KeySharding.server(for: call.request.key, count: redis.count)]
            return try RedisGlobalData.run(RedisGlobalData.step(for: call.request), on: client).flatMap {
                call.result(fromValue: $0)
            }.get()
        }
        let index = KeySharding.server(for: call.request.key, count: servers.count)
        let payload: [UInt8]
        do {
            let socket = try connectedSocket(index)
            try socket.send(frame: call.payload)
            payload = try socket.receiveFrame()
        } catch {
            sockets[index] = nil
            throw GlobalDataError(.connection, "\(servers[index].host):\(servers[index].port): \(error)")
        }
        return try call.result(from: payload).get()
    }

    private func connectedSocket(_ index: Int) throws(BlockingSocketError) -> BlockingFrameSocket {
        if let socket = sockets[index] { return socket }
        let socket = try BlockingFrameSocket(host: servers[index].host, port: servers[index].port, timeout: timeout)
        sockets[index] = socket
        return socket
    }
}
