import WorkermanCore

/// An asynchronous Redis client for a worker's event loop: Workerman's `workerman/redis`.
///
/// ```swift
/// worker.onWorkerStart = { _ in
///     redis = try RedisClient(url: "redis://127.0.0.1:6379/0")
/// }
/// worker.onMessage = { connection, message in
///     redis.incr("hits") { result in
///         connection.send("hits: \((try? result.get()) ?? -1)")
///     }
/// }
/// ```
/// Every call returns at once; its completion runs later on the loop, once, with the typed reply
/// or a `RedisError` (Redis's own error replies arrive as `.server`). Calls are pipelined on one
/// connection and complete in the order they were made. See `RedisLink` for what happens while
/// disconnected, on a timeout and when the connection breaks: a command is never sent twice.
///
/// Subscriptions need a connection of their own: use `RedisSubscriber`. Give blocking commands
/// (`BLPOP`, `XREADGROUP ... BLOCK`) a client of their own too, and a `timeout:` longer than their
/// block time, since they hold back every command pipelined behind them.
public final class RedisClient: RedisService {
    let link: RedisLink

    /// A client of the server at `url` (see `RedisEndpoint`); connects at once, in the background.
    public convenience init(url: String, options: RedisOptions = RedisOptions()) throws(RedisError) {
        self.init(endpoint: try RedisEndpoint(url: url), options: options)
    }

    /// A client of `endpoint`; connects at once, in the background.
    public init(endpoint: RedisEndpoint, options: RedisOptions = RedisOptions()) {
        link = RedisLink(endpoint: endpoint, options: options)
        link.connectIfIdle()
    }

    deinit { link.close() }

    /// Where the client connects.
    public var endpoint: RedisEndpoint { link.endpoint }

    /// The TLS client context for `rediss://` (set it before the first command); nil uses the TLS
    /// module's default, which verifies the server against the system's CAs.
    public var tls: TransportSecurityContext? {
        get { link.tls }
        set { link.tls = newValue }
    }

    /// Called when the connection breaks or cannot be made (the client reconnects by itself).
    public var onError: ((RedisError) -> Void)? {
        get { link.onError }
        set { link.onError = newValue }
    }

    /// Called each time a connection is made (its handshake sent), before queued commands go out.
    public var onConnect: (() -> Void)? {
        get { link.onOpen }
        set { link.onOpen = newValue }
    }

    /// Called with RESP3 push data that answers no command (client-side caching invalidations).
    public var onPush: ((RedisReply) -> Void)? {
        get { link.onPush }
        set { link.onPush = newValue }
    }

    /// True while connected.
    public var isConnected: Bool { link.isConnected }

    /// Commands sent and not answered plus commands waiting to be sent.
    public var pendingCount: Int { link.pendingCount }

    /// Closes the connection; pending commands fail with `.closed` and later calls fail at once.
    public func close() { link.close() }

    /// Sends a prepared command.
    public func send(
        _ command: RedisCommand, timeout: Double? = nil, _ completion: @escaping RedisCompletion = { _ in }
    ) {
        link.send(command, timeout: timeout, completion)
    }

    /// Runs `commands` in one `MULTI` / `EXEC` transaction; completes with `EXEC`'s replies, one per
    /// command (an error reply inside as `.error`), `.transactionAborted` when a `WATCH`ed key
    /// changed, or the error that made Redis discard the transaction (`EXECABORT`).
    public func transaction(
        _ commands: [RedisCommand], timeout: Double? = nil,
        _ completion: @escaping (Result<[RedisReply], RedisError>) -> Void
    ) {
        var queueError: RedisError?
        link.send(RedisCommand("MULTI"), timeout: timeout) { if case .failure(let error) = $0 { queueError = error } }
        for command in commands {
            link.send(command, timeout: timeout) {
                if case .failure(let error) = $0, queueError == nil { queueError = error }
            }
        }
        link.send(RedisCommand("EXEC"), timeout: timeout) { result in
            switch result {
            case .success(.null): completion(.failure(RedisError(.transactionAborted, "a watched key changed")))
            case .success(let reply):
                guard let elements = reply.elements else {
                    completion(.failure(RedisError(.unexpectedReply, "EXEC answered \(reply)")))
                    return
                }
                completion(.success(elements))
            case .failure(let error):
                completion(.failure(error.kind == .server && queueError != nil ? queueError! : error))
            }
        }
    }
}
