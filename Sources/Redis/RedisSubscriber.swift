/// A message received on a subscription.
public struct RedisMessage: Sendable {
    /// The channel it was published on.
    public let channel: String
    /// The pattern that matched, for `psubscribe`; nil otherwise.
    public let pattern: String?
    /// The published bytes.
    public let payload: [UInt8]

    /// The payload as UTF-8 text.
    public var string: String { String(decoding: payload, as: UTF8.self) }
}

/// Redis pub/sub on a connection of its own: `SUBSCRIBE`, `PSUBSCRIBE` and `SSUBSCRIBE` with a
/// callback each.
///
/// ```swift
/// let subscriber = try RedisSubscriber(url: "redis://127.0.0.1:6379")
/// subscriber.subscribe("news") { message in print(message.string) }
/// ```
/// When the connection breaks the subscriber reconnects with backoff and subscribes to every channel
/// and pattern again; messages published while it was disconnected are lost (pub/sub keeps
/// nothing). `onSubscribed` runs each time Redis confirms a subscription, so a program can tell
/// when it is listening again.
public final class RedisSubscriber {
    /// The kinds of subscription.
    public enum Kind: String, Sendable {
        /// `SUBSCRIBE channel`.
        case channel = "subscribe"
        /// `PSUBSCRIBE pattern`.
        case pattern = "psubscribe"
        /// `SSUBSCRIBE channel` (sharded pub/sub, Redis 7).
        case shard = "ssubscribe"
    }

    private let link: RedisLink
    private var callbacks: [Kind: [String: (RedisMessage) -> Void]] = [:]
    private var confirmed: [Kind: Set<String>] = [:]

    /// Runs when Redis confirms a subscription (after `subscribe` and after each reconnect).
    public var onSubscribed: ((Kind, String) -> Void)?

    /// Runs when the connection breaks or cannot be made (the subscriber reconnects by itself).
    public var onError: ((RedisError) -> Void)? {
        get { link.onError }
        set { link.onError = newValue }
    }

    /// A subscriber of the server at `url`; connects when the first subscription is made.
    public convenience init(url: String, options: RedisOptions = RedisOptions()) throws(RedisError) {
        self.init(endpoint: try RedisEndpoint(url: url), options: options)
    }

    /// A subscriber of `endpoint`; connects when the first subscription is made.
    public init(endpoint: RedisEndpoint, options: RedisOptions = RedisOptions()) {
        link = RedisLink(endpoint: endpoint, options: options)
        link.pushMode = true
        link.onPush = { [weak self] reply in self?.received(reply) }
        link.onOpen = { [weak self] in self?.restore() }
    }

    deinit { link.close() }

    /// True when Redis has confirmed the subscription `name` of `kind` on the current connection.
    public func isSubscribed(_ name: String, kind: Kind = .channel) -> Bool { confirmed[kind]?.contains(name) ?? false }

    /// Subscribes to `channel`; `callback` runs with each message. A second call replaces the callback.
    public func subscribe(_ channel: String, _ callback: @escaping (RedisMessage) -> Void) {
        add(.channel, channel, callback)
    }

    /// Subscribes to channels matching `pattern` (`news.*`).
    public func psubscribe(_ pattern: String, _ callback: @escaping (RedisMessage) -> Void) {
        add(.pattern, pattern, callback)
    }

    /// Subscribes to the shard channel `channel` (`SSUBSCRIBE`).
    public func ssubscribe(_ channel: String, _ callback: @escaping (RedisMessage) -> Void) {
        add(.shard, channel, callback)
    }

    /// Stops a subscription.
    public func unsubscribe(_ name: String, kind: Kind = .channel) {
        guard callbacks[kind]?.removeValue(forKey: name) != nil else { return }
        confirmed[kind]?.remove(name)
        link.sendUnanswered(RedisCommand(Self.undo(kind), name))
    }

    /// Closes the connection and forgets every subscription.
    public func close() {
        callbacks = [:]
        confirmed = [:]
        link.close()
    }

    private func add(_ kind: Kind, _ name: String, _ callback: @escaping (RedisMessage) -> Void) {
        let isNew = callbacks[kind, default: [:]][name] == nil
        callbacks[kind, default: [:]][name] = callback
        if isNew { link.sendUnanswered(RedisCommand(kind.rawValue.uppercased(), name)) }
    }

    private func restore() {
        confirmed = [:]
        for (kind, names) in callbacks where !names.isEmpty {
            if kind == .shard {
                for name in names.keys { link.sendUnanswered(RedisCommand("SSUBSCRIBE", name)) }
            } else {
                link.sendUnanswered(RedisCommand(kind.rawValue.uppercased(), arguments: Array(names.keys)))
            }
        }
    }

    private static func undo(_ kind: Kind) -> String {
        switch kind {
        case .channel: return "UNSUBSCRIBE"
        case .pattern: return "PUNSUBSCRIBE"
        case .shard: return "SUNSUBSCRIBE"
        }
    }

    private func received(_ reply: RedisReply) {
        guard let elements = reply.elements, let kind = elements.first?.string?.lowercased(), elements.count >= 3 else {
            return
        }
        switch kind {
        case "message", "smessage":
            guard let channel = elements[1].string, let payload = elements[2].bytes else { return }
            let subscription: Kind = kind == "message" ? .channel : .shard
            callbacks[subscription]?[channel]?(RedisMessage(channel: channel, pattern: nil, payload: payload))
        case "pmessage":
            guard elements.count >= 4, let pattern = elements[1].string, let channel = elements[2].string,
                let payload = elements[3].bytes
            else { return }
            callbacks[.pattern]?[pattern]?(RedisMessage(channel: channel, pattern: pattern, payload: payload))
        case "subscribe", "psubscribe", "ssubscribe":
            guard let subscription = Kind(rawValue: kind), let name = elements[1].string,
                callbacks[subscription]?[name] != nil
            else { return }
            confirmed[subscription, default: []].insert(name)
            onSubscribed?(subscription, name)
        default:
            break
        }
    }
}
