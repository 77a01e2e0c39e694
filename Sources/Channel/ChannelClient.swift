import WorkermanCore

/// The Channel client of this process: Workerman's `Channel\Client`, with the same static API.
///
/// ```swift
/// worker.onWorkerStart = { _ in
///     ChannelClient.connect("127.0.0.1", 2206)             // Channel\Client::connect('127.0.0.1', 2206);
///     ChannelClient.on("send_to_group") { data in          // Channel\Client::on('send_to_group', function($data){
///         print(data["group_id"], data["message"])
///     }
/// }
/// worker.onMessage = { _, message in
///     ChannelClient.publish("send_to_group", ["group_id": "123", "message": Value(message.string)])
/// }
/// ```
/// Use it inside a worker process: it runs on the process's event loop and never blocks (outside an
/// event loop, publish with `BlockingChannelPublisher`). Events reach every subscriber in every
/// process and server connected to the same Channel server, the publishing process included.
///
/// The connection is kept: when it breaks the client reconnects with backoff (`reconnectDelays`),
/// then subscribes to every event and watches every queue again. Publishes and enqueues made while
/// disconnected wait in a buffer of `maxBufferedBytes` and are sent, in order, once connected; past
/// that bound they are dropped with `onError(.bufferFull)`. Delivery is at most once: a publish
/// already handed to a connection that breaks may be lost. A ping goes out every `pingInterval` s.
public enum ChannelClient {
    nonisolated(unsafe) static var session = ChannelSession()  // one thread per process

    /// Called with (event, data) for an event that has no callback of its own.
    public static var onMessage: ((String, Value) -> Void)? {
        get { session.fallback }
        set { session.fallback = newValue }
    }

    /// Called each time the connection is made (first connect and every reconnect), after the
    /// subscriptions are restored.
    public static var onConnect: (() -> Void)? {
        get { session.onConnect }
        set { session.onConnect = newValue }
    }

    /// Called each time the connection to the server is lost.
    public static var onClose: (() -> Void)? {
        get { session.onClose }
        set { session.onClose = newValue }
    }

    /// Called when a publish is dropped, a connect fails or a delivery is bad. Without it, errors
    /// are logged.
    public static var onError: ((ChannelError) -> Void)? {
        get { session.onError }
        set { session.onError = newValue }
    }

    /// The bytes of publishes and enqueues kept while disconnected (default 1 MiB).
    public static var maxBufferedBytes: Int {
        get { session.maxBufferedBytes }
        set { session.maxBufferedBytes = newValue }
    }

    /// Seconds between pings (default 55, as Workerman's).
    public static var pingInterval: Double {
        get { session.pingInterval }
        set { session.pingInterval = newValue }
    }

    /// The waits before successive reconnect attempts; the last one repeats (default 0.05 s
    /// doubling to 1 s).
    public static var reconnectDelays: [Double] {
        get { session.reconnectDelays }
        set { session.reconnectDelays = newValue }
    }

    /// True while connected to the server.
    public static var isConnected: Bool { session.isConnected }

    /// Connects to the Channel server at `host:port` (returns at once). Calling it again while
    /// connected or connecting does nothing. The other methods connect to 127.0.0.1:2206 when this
    /// was not called.
    public static func connect(_ host: String = "127.0.0.1", _ port: Int = 2206) {
        session.connect(to: FrameAddress.url(host: host, port: port))
    }

    /// Connects to a Channel server at `address`: `frame://host:port` or `unix:///path`.
    public static func connect(address: String) { session.connect(to: address) }

    /// Connects to the Channel server or Redis that `url` names: `redis://[user:password@]host:port[/db]`,
    /// `rediss://...`, `redis+unix:///path` (Redis: see `RedisChannel` for how each operation maps
    /// onto pub/sub and Streams, and why queues there are at least once), or `frame://host:port`
    /// (our Channel server). The rest of the API is the same for both.
    public static func connect(url: String) {
        if url.hasPrefix("redis://") || url.hasPrefix("rediss://") || url.hasPrefix("redis+unix://") {
            session.connect(redis: url)
        } else {
            session.connect(to: url)
        }
    }

    /// Connects to the Redis Cluster that `urls` belong to (any of its nodes): pub/sub through the
    /// first node (a cluster forwards every publish to every node), `publishLoop` and queues on
    /// Streams that share one hash tag (so one master holds them), each command sent to its master.
    public static func connect(cluster urls: [String]) {
        guard let first = urls.first else { return }
        session.connect(redis: first, cluster: urls)
    }

    /// With Redis: seconds after which a queue or `publishLoop` message that its consumer did not
    /// acknowledge (it died, or its callback still runs) goes to another consumer (default 30).
    /// Set it before `connect(url:)`.
    public static var redeliveryDelay: Double {
        get { session.redeliveryDelay }
        set { session.redeliveryDelay = newValue }
    }

    /// Subscribes to `event`; `callback` runs in this process with each event's data. A second call
    /// for the same event replaces the callback.
    public static func on(_ event: String, _ callback: @escaping (Value) -> Void) {
        session.on(event, callback)
    }

    /// Subscribes to `events` without callbacks of their own: their events go to `onMessage`.
    public static func subscribe(_ events: [String]) { session.subscribe(events) }

    /// Stops receiving `event`.
    public static func unsubscribe(_ event: String) { session.unsubscribe([event]) }

    /// Stops receiving each of `events`.
    public static func unsubscribe(_ events: [String]) { session.unsubscribe(events) }

    /// Sends `data` to every subscriber of `event`. Returns false when it was dropped (see `onError`).
    @discardableResult
    public static func publish(_ event: String, _ data: Value) -> Bool { session.publish([event], data, loop: false) }

    /// Sends `data` to every subscriber of each of `events`.
    @discardableResult
    public static func publish(_ events: [String], _ data: Value) -> Bool { session.publish(events, data, loop: false) }

    /// Sends `data` to one subscriber of each of `events`, taking them in turn (round-robin).
    @discardableResult
    public static func publishLoop(_ events: [String], _ data: Value) -> Bool {
        session.publish(events, data, loop: true)
    }

    /// Sends `data` to one subscriber of `event`, taking them in turn (round-robin).
    @discardableResult
    public static func publishLoop(_ event: String, _ data: Value) -> Bool {
        session.publish([event], data, loop: true)
    }

    /// Consumes the work queue `queue`: each message goes to one watcher among all processes.
    /// With `autoReserve` (the default) this process asks for the next message after `callback`
    /// returns; otherwise call `reserve()` when ready. A second call replaces the callback.
    public static func watch(_ queue: String, autoReserve: Bool = true, _ callback: @escaping (Value) -> Void) {
        session.watch(queue, autoReserve: autoReserve, callback)
    }

    /// Stops consuming `queue`.
    public static func unwatch(_ queue: String) { session.unwatch([queue]) }

    /// Adds `data` to the work queue `queue`. Returns false when it was dropped (see `onError`).
    @discardableResult
    public static func enqueue(_ queue: String, _ data: Value) -> Bool { session.enqueue([queue], data) }

    /// Tells the server this process is ready for one more message on every queue it watches.
    public static func reserve() { session.reserve() }

    /// Closes the connection and forgets every subscription, watch and buffered publish (for
    /// tests, and for a process that is done with Channel).
    public static func reset() {
        session.close()
        session = ChannelSession()
    }
}
