/// The non-blocking GlobalData client, for use inside a worker process: each call returns at once
/// and its completion runs on the event loop with the result.
///
/// ```swift
/// let global = try AsyncGlobalDataClient("127.0.0.1:2207")
/// global.increment("hits") { result in
///     if case .success(let count?) = result { print("hit number \(count)") }
/// }
/// ```
/// The operations and their meaning are those of `GlobalDataClient`, with the same sharding over
/// several servers. Calls to one server are pipelined on one connection and complete in order. When
/// a connection breaks, its pending calls complete with `.failure(.connection)` and the next call
/// reconnects.
public final class AsyncGlobalDataClient {
    private let links: [GlobalDataLink]

    /// A client of the servers at `addresses` ("127.0.0.1:2207"); connects on first use.
    public init(_ addresses: [String]) throws(GlobalDataError) {
        var links: [GlobalDataLink] = []
        for address in addresses {
            guard let server = KeySharding.split(address) else {
                throw GlobalDataError(.connection, "not a host:port address: \(address)")
            }
            links.append(GlobalDataLink(host: server.host, port: server.port))
        }
        guard !links.isEmpty else { throw GlobalDataError(.connection, "no server address") }
        self.links = links
    }

    /// A client of the server at `address` ("127.0.0.1:2207").
    public convenience init(_ address: String = "127.0.0.1:2207") throws(GlobalDataError) {
        try self.init([address])
    }

    /// Calls waiting for a reply, over all servers.
    public var waitingCount: Int { links.reduce(0) { $0 + $1.waitingCount } }

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

    /// Adds `step` to the number under `key`; the new value, or nil when the key is missing.
    public func increment(
        _ key: String, by step: Int = 1, _ completion: @escaping (Result<Value?, GlobalDataError>) -> Void = { _ in }
    ) {
        perform(.value(.increment(key, step: Value(step))), completion)
    }

    /// Subtracts `step` from the number under `key`: `increment(key, by: -step)`.
    public func decrement(
        _ key: String, by step: Int = 1, _ completion: @escaping (Result<Value?, GlobalDataError>) -> Void = { _ in }
    ) {
        increment(key, by: -step, completion)
    }

    private func perform<Output>(
        _ call: GlobalDataCall<Output>, _ completion: @escaping (Result<Output, GlobalDataError>) -> Void
    ) {
        let link = links[KeySharding.server(for: call.request.key, count: links.count)]
        link.send(call.payload) { reply in
            completion(reply.flatMap { call.result(from: $0) })
        }
    }
}
