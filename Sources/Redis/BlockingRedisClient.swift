import WorkermanComponentWire
import WorkermanCore

/// A Redis client for code with no event loop (a command-line tool, a test, a thread of another
/// program): each call sends and waits for the reply, at most `options.commandTimeout` seconds.
///
/// ```swift
/// let redis = try BlockingRedisClient(url: "redis://127.0.0.1:6379")
/// try redis.command("SET", "greeting", "hello")
/// let greeting = try redis.command("GET", "greeting").string
/// ```
/// The connection is made on first use, with the same handshake as `RedisClient`. A failure
/// (timeout, broken connection, bad reply) closes it; the next call connects again. A command whose
/// connection broke is not sent again. TCP and unix sockets only (no `rediss://`).
public final class BlockingRedisClient {
    /// Where the client connects.
    public let endpoint: RedisEndpoint
    /// Timeouts, reply limit, protocol version.
    public let options: RedisOptions
    private var socket: BlockingStreamSocket?
    private var received = ByteBuffer(capacity: 4096)

    /// A client of the server at `url`.
    public convenience init(url: String, options: RedisOptions = RedisOptions()) throws(RedisError) {
        try self.init(endpoint: RedisEndpoint(url: url), options: options)
    }

    /// A client of `endpoint`.
    public init(endpoint: RedisEndpoint, options: RedisOptions = RedisOptions()) throws(RedisError) {
        guard !endpoint.secure else { throw RedisError(.badAddress, "the blocking client has no TLS: \(endpoint)") }
        self.endpoint = endpoint
        self.options = options
    }

    /// Sends any command and returns its reply; an error reply throws `.server`.
    @discardableResult
    public func command(_ name: String, _ arguments: any RedisArgument...) throws(RedisError) -> RedisReply {
        try send(RedisCommand(name, arguments: arguments))
    }

    /// Sends a prepared command and returns its reply.
    @discardableResult
    public func send(_ command: RedisCommand) throws(RedisError) -> RedisReply {
        try pipeline([command])[0].get()
    }

    /// Sends `commands` in one write and returns their results in order.
    public func pipeline(_ commands: [RedisCommand]) throws(RedisError) -> [Result<RedisReply, RedisError>] {
        let socket = try connected()
        var batch = ByteBuffer(capacity: 256)
        for command in commands { batch.writeBuffer(command.encoded) }
        do {
            try socket.send(batch)
            var results: [Result<RedisReply, RedisError>] = []
            for _ in commands {
                let reply = try nextReply(socket)
                results.append(reply.errorMessage.map { .failure(RedisError(.server, $0)) } ?? .success(reply))
            }
            return results
        } catch {
            throw failed(error)
        }
    }

    /// `GET key` as text; nil when missing.
    public func get(_ key: String) throws(RedisError) -> String? {
        let reply = try command("GET", key)
        return reply.isNull ? nil : reply.string
    }

    /// `SET key value`.
    public func set(_ key: String, _ value: any RedisArgument) throws(RedisError) { try command("SET", key, value) }

    /// `INCRBY key step`: the new value.
    @discardableResult
    public func incrby(_ key: String, _ step: Int64) throws(RedisError) -> Int64 {
        let reply = try command("INCRBY", key, step)
        guard let value = Convert.integer(reply) else { throw RedisError(.unexpectedReply, "INCRBY answered \(reply)") }
        return value
    }

    /// Closes the connection (the next call opens a new one).
    public func close() { socket = nil }

    private func connected() throws(RedisError) -> BlockingStreamSocket {
        if let socket { return socket }
        do {
            let made: BlockingStreamSocket
            if let path = endpoint.unixPath {
                guard let address = SocketAddress(unixPath: path) else {
                    throw RedisError(.badAddress, "unix path too long: \(path)")
                }
                made = try BlockingStreamSocket(address: address, name: path, timeout: options.commandTimeout)
            } else {
                made = try BlockingStreamSocket(
                    host: endpoint.host, port: UInt16(endpoint.port), timeout: options.commandTimeout)
            }
            received = ByteBuffer(capacity: 4096)
            let handshake = RedisHandshake.commands(endpoint, options)
            var batch = ByteBuffer(capacity: 128)
            for command in handshake { batch.writeBuffer(command.encoded) }
            if !handshake.isEmpty { try made.send(batch) }
            for command in handshake {
                if let message = try nextReply(made).errorMessage {
                    throw RedisError(.handshake, "\(command.name) refused by \(endpoint): \(message)")
                }
            }
            socket = made
            return made
        } catch let error as RedisError {
            throw error
        } catch {
            throw RedisError(.connectionLost, "\(endpoint): \(error)")
        }
    }

    private func nextReply(_ socket: BlockingStreamSocket) throws -> RedisReply {
        while true {
            let measured = received.withReadableBytes { RESPScanner.measure(ByteView($0), limit: options.maxReplySize) }
            switch measured {
            case .packet(let length) where received.readableBytes >= length:
                let reply = try received.withReadableBytes { raw throws(ProtocolError) in
                    try RESPDecoder.decode(ByteView(UnsafeRawBufferPointer(rebasing: raw[0..<length])))
                }
                received.moveReaderIndex(forwardBy: length)
                return reply
            case .invalid(let reason):
                throw RedisError(.protocolError, "\(endpoint): \(reason)")
            default:
                try socket.receiveMore(into: &received)
            }
        }
    }

    private func failed(_ error: Error) -> RedisError {
        socket = nil
        if let redisError = error as? RedisError { return redisError }
        let text = "\(error)"
        return RedisError(text.hasSuffix("timed out") ? .timeout : .connectionLost, "\(endpoint): \(text)")
    }
}
