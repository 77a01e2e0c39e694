import WorkermanCore
import WorkermanTimer

/// A command's completion: the reply, or why there is none.
public typealias RedisCompletion = (Result<RedisReply, RedisError>) -> Void

/// One connection to one Redis server, kept open: the engine under `RedisClient` and
/// `RedisSubscriber`.
///
/// Commands are written in order as they come (several in one write when they come in one turn of
/// the loop) and their replies complete them in the same order. While disconnected, commands wait
/// in a queue of `maxQueuedCommands` (full: they fail at once) and go out after the handshake
/// (HELLO, AUTH, CLIENT SETNAME, SELECT) once connected. When the connection breaks, the commands
/// sent and not answered fail with `.connectionLost` and are never sent again; the link reconnects
/// after `reconnectDelays`. A command unanswered past its timeout fails with `.timeout`, closes the
/// connection (failing those pipelined behind it) and reconnects. In push mode (a subscriber), a
/// connection silent for `keepAliveInterval` is checked with a `PING` (see `RedisOptions`).
final class RedisLink {
    private struct Pending {
        let name: String
        let deadline: UInt64
        let completion: RedisCompletion
        var command: ByteBuffer?
    }

    let endpoint: RedisEndpoint
    let options: RedisOptions
    /// The TLS client context for `rediss://`; nil uses the TLS module's default (when linked).
    var tls: TransportSecurityContext?
    /// Replies that answer no command: RESP3 pushes, and every reply in push mode.
    var onPush: ((RedisReply) -> Void)?
    /// In push mode (a subscribed RESP2 connection) arrays shaped as pub/sub messages and
    /// confirmations go to `onPush` instead of answering a command.
    var pushMode = false
    /// Runs when a connection is made, after the handshake is written and before queued commands.
    var onOpen: (() -> Void)?
    /// Runs when the connection breaks or cannot be made.
    var onError: ((RedisError) -> Void)?

    private var connection: AsyncTcpConnection?
    private var isOpen = false
    private var isSendBlocked = false
    private var waiting = FIFO<Pending>()
    private var inFlight = FIFO<Pending>()
    private var outgoing = ByteBuffer(capacity: 0)
    private var flushScheduled = false
    private var attempt = 0
    private var connectStarted: UInt64 = 0
    private var ticker: TimerID?
    private var reconnectTimer: TimerID?
    private var closeReason: RedisError?
    private(set) var isClosed = false
    /// Push mode's keepalive: when the connection last said anything, when the `PING` awaiting
    /// its answer went out (0: none), and the timer that checks them.
    private var lastHeard: UInt64 = 0
    private var pingSentAt: UInt64 = 0
    private var keepAliveTimer: TimerID?

    init(endpoint: RedisEndpoint, options: RedisOptions) {
        self.endpoint = endpoint
        self.options = options
    }

    /// True while a connection is established.
    var isConnected: Bool { isOpen }

    /// Commands sent and not answered plus commands waiting to be sent.
    var pendingCount: Int { inFlight.count + waiting.count }

    /// Sends `command`; `completion` runs once with its reply or failure. `timeout` overrides
    /// `options.commandTimeout` (give blocking commands their block time plus a margin).
    func send(_ command: RedisCommand, timeout: Double? = nil, _ completion: @escaping RedisCompletion) {
        guard !isClosed else {
            completion(.failure(RedisError(.closed, "the client is closed")))
            return
        }
        let seconds = timeout ?? options.commandTimeout
        let pending = Pending(
            name: command.name, deadline: MonotonicClock.now() + MonotonicClock.nanoseconds(fromSeconds: seconds),
            completion: completion, command: command.encoded)
        if isOpen && !isSendBlocked {
            write(pending)
        } else {
            guard waiting.count < options.maxQueuedCommands else {
                completion(
                    .failure(
                        RedisError(
                            .queueFull, "\(command.name): \(waiting.count) commands already wait for \(endpoint)")))
                return
            }
            waiting.append(pending)
            connectIfIdle()
        }
        startTicker()
    }

    /// Writes `command` without expecting a reply (push mode: SUBSCRIBE and friends). Dropped when
    /// disconnected: `onOpen` restores what it must.
    func sendUnanswered(_ command: RedisCommand) {
        guard isOpen else {
            connectIfIdle()
            return
        }
        outgoing.writeBuffer(command.encoded)
        scheduleFlush()
    }

    /// Connects now if no connection is made or being made.
    func connectIfIdle() {
        guard !isClosed, connection == nil, reconnectTimer == nil else { return }
        connect()
    }

    /// Closes the connection, fails everything pending with `.closed` and stops reconnecting.
    func close() {
        guard !isClosed else { return }
        isClosed = true
        if let reconnectTimer { Timer.del(reconnectTimer) }
        reconnectTimer = nil
        stopTicker()
        stopKeepAlive()
        closeReason = RedisError(.closed, "the client was closed")
        if let connection {
            connection.destroy()
        }
        failAll(waiting.removeAll(), RedisError(.closed, "the client was closed"))
        failAll(inFlight.removeAll(), RedisError(.closed, "the client was closed"))
    }

    // MARK: writing

    private func write(_ pending: Pending) {
        var pending = pending
        if let command = pending.command { outgoing.writeBuffer(command) }
        pending.command = nil
        inFlight.append(pending)
        scheduleFlush()
    }

    private func scheduleFlush() {
        guard !flushScheduled else { return }
        flushScheduled = true
        EventLoop.current.execute { [weak self] in self?.flush() }
    }

    private func flush() {
        flushScheduled = false
        guard let connection, isOpen, !outgoing.isEmpty else { return }
        let bytes = outgoing
        outgoing = ByteBuffer(capacity: 0)
        if connection.send(.object(bytes)) == .failed, connection === self.connection {
            closeReason = RedisError(.connectionLost, "send to \(endpoint) failed (send buffer full or closed)")
            connection.destroy()
        }
    }

    private func sendWaiting() {
        while isOpen && !isSendBlocked, let next = waiting.popFirst() { write(next) }
    }

    // MARK: connecting

    private func connect() {
        reconnectTimer = nil
        let made: AsyncTcpConnection
        do {
            made = try AsyncTcpConnection(endpoint.connectionAddress)
        } catch {
            lost(RedisError(.badAddress, "\(endpoint): \(error)"))
            return
        }
        made.protocol = RESP.self
        made.maxPackageSize = options.maxReplySize
        made.maxSendBufferSize = max(made.maxSendBufferSize, 16 * 1024 * 1024)
        if let tls { made.tls = tls }
        made.onConnect = { [weak self] opened in self?.opened(opened) }
        made.onMessage = { [weak self] _, message in
            if let reply = message.value(as: RedisReply.self) { self?.received(reply) }
        }
        made.onClose = { [weak self] closed in self?.closed(closed) }
        made.onError = { [weak self] _, _, message in
            self?.closeReason = RedisError(.connectionLost, message)
        }
        made.onBufferFull = { [weak self] _ in self?.isSendBlocked = true }
        made.onBufferDrain = { [weak self] _ in
            self?.isSendBlocked = false
            self?.sendWaiting()
        }
        connection = made
        connectStarted = MonotonicClock.now()
        closeReason = nil
        startTicker()
        made.connect()
    }

    private func opened(_ opened: TcpConnection) {
        guard opened === connection else { return }
        isOpen = true
        isSendBlocked = false
        for command in RedisHandshake.commands(endpoint, options) {
            write(
                Pending(
                    name: command.name, deadline: deadline(options.connectTimeout),
                    completion: { [weak self] in
                        if case .failure(let error) = $0, error.kind == .server {
                            self?.handshakeFailed(command.name, error)
                        }
                    }, command: command.encoded))
        }
        onOpen?()
        sendWaiting()
        startKeepAlive()
    }

    private func handshakeFailed(_ command: String, _ error: RedisError) {
        let failure = RedisError(.handshake, "\(command) refused by \(endpoint): \(error.message)")
        onError?(failure)
        closeReason = failure
        connection?.destroy()
    }

    private func deadline(_ seconds: Double) -> UInt64 {
        MonotonicClock.now() + MonotonicClock.nanoseconds(fromSeconds: seconds)
    }

    // MARK: replies

    private func received(_ reply: RedisReply) {
        attempt = 0
        if pushMode {
            lastHeard = MonotonicClock.now()
            // The keepalive's answer when no subscription is active, or on RESP3: no command waits for it.
            if pingSentAt != 0, inFlight.isEmpty, reply == .simpleString("PONG") { return }
        }
        if case .push = reply {
            onPush?(reply)
            return
        }
        if pushMode && Self.isPubSubMessage(reply) {
            onPush?(reply)
            return
        }
        guard let pending = inFlight.popFirst() else {
            if pushMode, case .error = reply {  // a refused SUBSCRIBE (MOVED for SSUBSCRIBE on a cluster)
                onPush?(reply)
                return
            }
            Log.write("Redis \(endpoint): a reply with no command waiting for it: \(reply)")
            return
        }
        if case .error(let message) = reply {
            pending.completion(.failure(RedisError(.server, message)))
        } else {
            pending.completion(.success(reply))
        }
    }

    private static let pubSubKinds: Set<String> = [
        "message", "pmessage", "smessage", "subscribe", "psubscribe", "ssubscribe", "unsubscribe", "punsubscribe",
        "sunsubscribe", "pong",
    ]

    private static func isPubSubMessage(_ reply: RedisReply) -> Bool {
        guard case .array(let elements) = reply, let kind = elements.first?.string else { return false }
        return pubSubKinds.contains(kind.lowercased())
    }

    private func closed(_ closed: TcpConnection) {
        guard closed === connection else { return }
        let error: RedisError
        if let reason = closed.context[RESP.failureKey] {
            error = RedisError(.protocolError, "\(endpoint): \(reason)")
        } else if let closeReason {
            error = closeReason
        } else {
            error = RedisError(.connectionLost, "connection to \(endpoint) closed")
        }
        lost(error)
    }

    private func lost(_ error: RedisError) {
        connection = nil
        isOpen = false
        stopKeepAlive()
        outgoing = ByteBuffer(capacity: 0)
        failAll(inFlight.removeAll(), error)
        guard !isClosed else { return }
        onError?(error)
        let delays = options.reconnectDelays.isEmpty ? [1] : options.reconnectDelays
        let delay = delays[min(attempt, delays.count - 1)]
        attempt += 1
        reconnectTimer = Timer.add(delay, persistent: false) { [weak self] in self?.connect() }
    }

    private func failAll(_ pending: ArraySlice<Pending>, _ error: RedisError) {
        for item in pending { item.completion(.failure(error)) }
    }

    // MARK: timeouts

    private func startTicker() {
        guard ticker == nil, !isClosed else { return }
        let interval = max(0.01, min(0.1, options.commandTimeout / 10, options.connectTimeout / 10))
        ticker = Timer.add(interval) { [weak self] in self?.tick() }
    }

    private func stopTicker() {
        if let ticker { Timer.del(ticker) }
        ticker = nil
    }

    private func tick() {
        let now = MonotonicClock.now()
        if let connection, !isOpen,
            now > connectStarted + MonotonicClock.nanoseconds(fromSeconds: options.connectTimeout)
        {
            closeReason = RedisError(
                .connectionLost, "connect to \(endpoint) timed out after \(options.connectTimeout) s")
            connection.destroy()
        }
        while let first = waiting.first, first.deadline <= now {
            _ = waiting.popFirst()
            first.completion(
                .failure(RedisError(.timeout, "\(first.name): not sent within its timeout (\(endpoint) unreachable)")))
        }
        if let first = inFlight.first, first.deadline <= now, let connection {
            _ = inFlight.popFirst()
            closeReason = RedisError(.connectionLost, "the connection was closed because \(first.name) timed out")
            connection.destroy()
            first.completion(.failure(RedisError(.timeout, "\(first.name): no reply from \(endpoint) in time")))
        }
        if waiting.isEmpty && inFlight.isEmpty && (isOpen || connection == nil) { stopTicker() }
    }

    // MARK: keepalive (push mode)

    private func startKeepAlive() {
        guard pushMode, options.keepAliveInterval > 0, keepAliveTimer == nil else { return }
        lastHeard = MonotonicClock.now()
        pingSentAt = 0
        let interval = max(0.01, min(options.keepAliveInterval, options.commandTimeout) / 4)
        keepAliveTimer = Timer.add(interval) { [weak self] in self?.checkAlive() }
    }

    private func stopKeepAlive() {
        if let keepAliveTimer { Timer.del(keepAliveTimer) }
        keepAliveTimer = nil
        pingSentAt = 0
    }

    /// Sends a `PING` after `keepAliveInterval` of silence; closes the connection (which then
    /// reconnects) when one goes unanswered for `commandTimeout`.
    private func checkAlive() {
        guard isOpen, let connection else { return }
        let now = MonotonicClock.now()
        if pingSentAt != 0 {
            if lastHeard >= pingSentAt {
                pingSentAt = 0
            } else if now - pingSentAt >= MonotonicClock.nanoseconds(fromSeconds: options.commandTimeout) {
                closeReason = RedisError(
                    .connectionLost, "no answer to PING from \(endpoint) within \(options.commandTimeout) s")
                connection.destroy()
                return
            }
        }
        let silence = now - lastHeard
        if pingSentAt == 0, inFlight.isEmpty,
            silence >= MonotonicClock.nanoseconds(fromSeconds: options.keepAliveInterval)
        {
            pingSentAt = now
            sendUnanswered(RedisCommand("PING"))
        }
    }
}
