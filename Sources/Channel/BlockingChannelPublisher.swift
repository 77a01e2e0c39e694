import WorkermanCore
import WorkermanRedis

/// Publishes and enqueues from code that runs outside an event loop (a command-line tool, a
/// thread of another program), over a blocking socket: Workerman's `Channel\Client::publish`
/// outside Workerman.
///
/// ```swift
/// let publisher = try BlockingChannelPublisher(host: "127.0.0.1", port: 2206)
/// try publisher.publish("news", ["title": "hello"])
/// let onRedis = try BlockingChannelPublisher(url: "redis://127.0.0.1:6379")
/// try onRedis.enqueue("jobs", 42)
/// ```
/// With a Channel server each call returns once the request is handed to the kernel (the
/// protocol has no reply); with Redis, once Redis has answered (as `RedisChannel` maps the
/// operation). A failed call closes the connection; the next call connects again.
public final class BlockingChannelPublisher {
    private let host: String
    private let port: UInt16
    private let timeout: Double
    private var socket: BlockingFrameSocket?
    private let redis: BlockingRedisClient?

    /// A publisher for the server at `host:port`; connects at once. `timeout` bounds every wait (s).
    public init(host: String = "127.0.0.1", port: Int = 2206, timeout: Double = 5) throws(ChannelError) {
        self.host = host
        self.port = UInt16(clamping: port)
        self.timeout = timeout
        redis = nil
        _ = try connected()
    }

    /// A publisher for Channel over the Redis server at `url` (`redis://`, `unix://`); connects on
    /// the first call.
    public init(url: String, timeout: Double = 5) throws(ChannelError) {
        var options = RedisOptions()
        options.commandTimeout = timeout
        do {
            redis = try BlockingRedisClient(url: url, options: options)
        } catch {
            throw ChannelError(.connectFailed, error.description)
        }
        host = ""
        port = 0
        self.timeout = timeout
    }

    /// Sends `data` to every subscriber of each of `events`.
    public func publish(_ events: [String], _ data: Value) throws(ChannelError) {
        if redis != nil {
            for event in events { try sendToRedis(RedisCommand("PUBLISH", event, data.json)) }
            return
        }
        try send(ChannelWire.request(.publish, names: events, data: data))
    }

    /// Sends `data` to every subscriber of `event`.
    public func publish(_ event: String, _ data: Value) throws(ChannelError) { try publish([event], data) }

    /// Sends `data` to one subscriber of `event`, round-robin.
    public func publishLoop(_ event: String, _ data: Value) throws(ChannelError) {
        if redis != nil {
            return try sendToRedis(RedisCommand("XADD", RedisChannel.loopPrefix + event, "*", "d", data.json))
        }
        try send(ChannelWire.request(.publishLoop, names: [event], data: data))
    }

    /// Adds `data` to the work queue `queue`.
    public func enqueue(_ queue: String, _ data: Value) throws(ChannelError) {
        if redis != nil {
            return try sendToRedis(RedisCommand("XADD", RedisChannel.queuePrefix + queue, "*", "d", data.json))
        }
        try send(ChannelWire.request(.enqueue, names: [queue], data: data))
    }

    private func connected() throws(ChannelError) -> BlockingFrameSocket {
        if let socket { return socket }
        do {
            let made = try BlockingFrameSocket(host: host, port: port, timeout: timeout)
            socket = made
            return made
        } catch {
            throw ChannelError(.connectFailed, error.description)
        }
    }

    private func send(_ request: ByteBuffer) throws(ChannelError) {
        let socket = try connected()
        do {
            try socket.send(frame: request)
        } catch {
            self.socket = nil
            throw ChannelError(.sendFailed, error.description)
        }
    }

    private func sendToRedis(_ command: RedisCommand) throws(ChannelError) {
        do {
            _ = try redis?.send(command)
        } catch {
            throw ChannelError(error.kind == .badAddress ? .connectFailed : .sendFailed, error.description)
        }
    }
}
