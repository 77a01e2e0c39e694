import WorkermanTimer

/// Pub/sub on a Redis Cluster: `subscribe` and `psubscribe` through one node (a cluster forwards
/// every `PUBLISH` to every node), and sharded `ssubscribe` on the master that owns each shard
/// channel's hash slot, one `RedisSubscriber` connection per master.
///
/// ```swift
/// let cluster = try RedisCluster(urls: ["redis://10.0.0.1:7000"])
/// let subscriber = RedisClusterSubscriber(cluster: cluster)
/// subscriber.ssubscribe("orders:{eu}") { message in print(message.string) }
/// cluster.command("SPUBLISH", "orders:{eu}", "new")
/// ```
/// When Redis answers `MOVED` (the map was not loaded yet, or is stale) or ends a shard
/// subscription because its slot moved (`sunsubscribe`), the subscriber reads the slot map again
/// and subscribes at the channel's new master.
public final class RedisClusterSubscriber {
    private let cluster: RedisCluster
    private let options: RedisOptions
    private var nodes: [String: RedisSubscriber] = [:]
    private var shardCallbacks: [String: (RedisMessage) -> Void] = [:]
    private var shardNodes: [String: String] = [:]

    /// Runs when a node confirms a subscription.
    public var onSubscribed: ((RedisSubscriber.Kind, String) -> Void)?

    /// A subscriber on the cluster that `cluster` talks to (its slot map and credentials).
    public init(cluster: RedisCluster, options: RedisOptions = RedisOptions()) {
        self.cluster = cluster
        self.options = options
    }

    deinit { close() }

    /// Subscribes to `channel` (any node hears every publish).
    public func subscribe(_ channel: String, _ callback: @escaping (RedisMessage) -> Void) {
        node(cluster.seedName)?.subscribe(channel, callback)
    }

    /// Subscribes to channels matching `pattern`.
    public func psubscribe(_ pattern: String, _ callback: @escaping (RedisMessage) -> Void) {
        node(cluster.seedName)?.psubscribe(pattern, callback)
    }

    /// Subscribes to the shard channel `channel` on the master of its slot.
    public func ssubscribe(_ channel: String, _ callback: @escaping (RedisMessage) -> Void) {
        shardCallbacks[channel] = callback
        place(channel)
    }

    /// True when the master of `channel` confirmed the shard subscription.
    public func isShardSubscribed(_ channel: String) -> Bool {
        shardNodes[channel].flatMap { nodes[$0] }?.isSubscribed(channel, kind: .shard) ?? false
    }

    /// Stops a subscription.
    public func unsubscribe(_ name: String, kind: RedisSubscriber.Kind = .channel) {
        if kind == .shard {
            shardCallbacks[name] = nil
            if let node = shardNodes.removeValue(forKey: name) { nodes[node]?.unsubscribe(name, kind: .shard) }
        } else {
            nodes[cluster.seedName]?.unsubscribe(name, kind: kind)
        }
    }

    /// Closes every connection.
    public func close() {
        for subscriber in nodes.values { subscriber.close() }
        nodes = [:]
    }

    private func place(_ channel: String) {
        guard let callback = shardCallbacks[channel] else { return }
        let owner = cluster.node(forSlot: RedisHashSlot.slot(channel)) ?? cluster.seedName
        if let previous = shardNodes[channel], previous != owner { nodes[previous]?.unsubscribe(channel, kind: .shard) }
        shardNodes[channel] = owner
        node(owner)?.ssubscribe(channel, callback)
    }

    /// A shard subscription was refused (MOVED) or ended by its node: read the map, place again.
    private func lost(_ channel: String?, _ error: RedisError?, on node: String) {
        let channels = channel.map { [$0] } ?? shardNodes.filter { $0.value == node }.map(\.key)
        if error != nil {  // a refused SSUBSCRIBE leaves nothing subscribed on that node
            for channel in channels { nodes[node]?.unsubscribe(channel, kind: .shard) }
        }
        cluster.slotsChanged()
        Timer.add(0.1, persistent: false) { [weak self] in
            for channel in channels where self?.shardNodes[channel] == node { self?.place(channel) }
        }
    }

    private func node(_ name: String) -> RedisSubscriber? {
        if let subscriber = nodes[name] { return subscriber }
        guard let endpoint = cluster.endpoint(ofNode: name) else { return nil }
        let subscriber = RedisSubscriber(endpoint: endpoint, options: options)
        subscriber.onSubscribed = { [weak self] in self?.onSubscribed?($0, $1) }
        subscriber.onShardLost = { [weak self] channel, error in self?.lost(channel, error, on: name) }
        nodes[name] = subscriber
        return subscriber
    }
}
