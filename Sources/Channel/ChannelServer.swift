import WorkermanCore
import WorkermanProtocols

/// The Channel server: Workerman's `Channel\Server`, a Worker that relays events and queue
/// messages between the processes and servers whose `ChannelClient`s connect to it.
///
/// ```swift
/// let channelServer = ChannelServer("0.0.0.0", 2206)   // new Channel\Server('0.0.0.0', 2206);
/// let worker = Worker("websocket://0.0.0.0:1234")
/// ...
/// Worker.runAll()
/// ```
/// It runs one process named `ChannelServer` (all state lives in that process's memory) and is not
/// reloadable, so a `reload` never drops subscriptions. A connection's subscriptions and watches
/// end with it. The wire format is described at `ChannelOperation`.
public final class ChannelServer {
    /// The Worker that listens; change its settings (`name`, `user`) before `Worker.runAll()`.
    public let worker: Worker
    private var subscribers: [String: SubscriberList] = [:]
    private var queues: [String: ChannelQueue] = [:]
    /// What each connection (by id) subscribed to and watches, to clean up when it closes.
    private var subscriptions: [Int: Set<String>] = [:]
    private var watches: [Int: Set<String>] = [:]

    /// A server on `frame://host:port` (port 0: the kernel picks one; `worker.localAddress` tells).
    public convenience init(_ host: String = "0.0.0.0", _ port: Int = 2206) {
        self.init(listen: FrameAddress.url(host: host, port: port))
    }

    /// A server on `address`: `frame://host:port`, or `unix:///path` for a unix socket.
    public init(listen address: String) {
        worker = Worker(address)
        worker.protocol = Frame.self
        worker.name = "ChannelServer"
        worker.count = 1
        worker.reloadable = false
        worker.onMessage = { connection, message in
            self.handle(message.bytes, from: connection)
        }
        worker.onClose = { connection in self.forget(connection) }
    }

    /// Where this program's own processes reach the server once it listens:
    /// `frame://127.0.0.1:<port>` (for `ChannelClient.connect(url:)`).
    public var localURL: String { FrameAddress.url(host: "127.0.0.1", port: Int(worker.listeningPort ?? 2206)) }

    /// The number of connections subscribed to `event` (for tests and status pages).
    public func subscriberCount(_ event: String) -> Int { subscribers[event]?.members.count ?? 0 }

    /// The number of queue messages waiting for a consumer on `queue`.
    public func waitingCount(_ queue: String) -> Int { queues[queue]?.waitingCount ?? 0 }

    private func handle(_ payload: [UInt8], from connection: TcpConnection) {
        guard !payload.isEmpty else { return }  // a ping
        let outcome = payload.withUnsafeBytes { raw in
            Result { () throws(MessagePackError) in
                var reader = MessagePackReader(ByteView(raw))
                let count = try reader.readArrayHeader()
                guard count >= 1, let operation = ChannelOperation(rawValue: try reader.readInteger()) else {
                    throw MessagePackError("unknown operation")
                }
                var names: [String] = []
                if operation != .reserve {
                    guard count >= 2 else { throw MessagePackError("no names") }
                    for _ in 0..<(try reader.readArrayHeader()) { names.append(try reader.readString()) }
                }
                if operation.carriesData {
                    guard count >= 3 else { throw MessagePackError("no data") }
                    let range = try reader.skipValue()
                    perform(
                        operation, names: names, data: UnsafeRawBufferPointer(rebasing: raw[range]), from: connection)
                } else {
                    perform(
                        operation, names: names, data: UnsafeRawBufferPointer(start: nil, count: 0), from: connection)
                }
            }
        }
        if case .failure(let error) = outcome {
            Log.write("ChannelServer: bad request from \(connection.getRemoteAddress()): \(error); closing it")
            connection.destroy()
        }
    }

    private func perform(
        _ operation: ChannelOperation, names: [String], data: UnsafeRawBufferPointer, from connection: TcpConnection
    ) {
        switch operation {
        case .subscribe:
            for name in names {
                subscribers[name, default: SubscriberList()].add(connection)
                subscriptions[connection.id, default: []].insert(name)
            }
        case .unsubscribe:
            for name in names { unsubscribe(connection, from: name) }
        case .publish:
            for name in names {
                guard let list = subscribers[name] else { continue }
                let delivery = Message.object(ChannelWire.delivery(.event, name: name, encodedData: data))
                for member in list.members { member.send(delivery) }
            }
        case .publishLoop:
            for name in names {
                guard let member = subscribers[name]?.next() else { continue }
                member.send(.object(ChannelWire.delivery(.event, name: name, encodedData: data)))
            }
        case .watch:
            for name in names {
                queue(name).watch(connection)
                watches[connection.id, default: []].insert(name)
            }
        case .unwatch:
            for name in names { unwatch(connection, from: name) }
        case .enqueue:
            let encoded = Array(data)
            for name in names { queue(name).enqueue(encoded) }
        case .reserve:
            for name in watches[connection.id] ?? [] { queues[name]?.reserve(connection) }
        }
    }

    private func queue(_ name: String) -> ChannelQueue {
        if let existing = queues[name] { return existing }
        let created = ChannelQueue(name: name)
        queues[name] = created
        return created
    }

    private func unsubscribe(_ connection: TcpConnection, from name: String) {
        subscriptions[connection.id]?.remove(name)
        subscribers[name]?.remove(connection)
        if subscribers[name]?.isEmpty == true { subscribers[name] = nil }
    }

    private func unwatch(_ connection: TcpConnection, from name: String) {
        watches[connection.id]?.remove(name)
        queues[name]?.unwatch(connection)
        if queues[name]?.isUnused == true { queues[name] = nil }
    }

    /// Drops everything a closed connection subscribed to and watched.
    private func forget(_ connection: TcpConnection) {
        for name in subscriptions.removeValue(forKey: connection.id) ?? [] { unsubscribe(connection, from: name) }
        for name in watches.removeValue(forKey: connection.id) ?? [] { unwatch(connection, from: name) }
    }
}
