import WorkermanCore

/// One named work queue on the Channel server: waiting messages, the connections watching it, and
/// those ready for a message.
///
/// Each message goes to one ready watcher, which is then no longer ready (on this queue) until it
/// sends `reserve` again: at-most-once delivery, no acknowledgement, no persistence, as Workerman's.
/// Messages wait in memory while nobody is ready.
final class ChannelQueue {
    let name: String
    /// Encoded messages not yet delivered, oldest first, from `head` on.
    private var messages: [[UInt8]] = []
    private var head = 0
    private(set) var watchers: [Int: TcpConnection] = [:]
    /// Ids of watchers ready for a message, in the order they became ready.
    private var ready: [Int] = []

    init(name: String) { self.name = name }

    /// No watcher and no waiting message: the queue can be dropped.
    var isUnused: Bool { watchers.isEmpty && head == messages.count }

    /// The number of messages waiting.
    var waitingCount: Int { messages.count - head }

    func watch(_ connection: TcpConnection) { watchers[connection.id] = connection }

    func unwatch(_ connection: TcpConnection) {
        watchers[connection.id] = nil
        ready.removeAll { $0 == connection.id }
    }

    /// Marks a watcher ready for one more message and delivers what waits.
    func reserve(_ connection: TcpConnection) {
        guard watchers[connection.id] != nil, !ready.contains(connection.id) else { return }
        ready.append(connection.id)
        dispatch()
    }

    /// Adds an encoded message and delivers what can be.
    func enqueue(_ encodedData: [UInt8]) {
        messages.append(encodedData)
        dispatch()
    }

    private func dispatch() {
        while head < messages.count, !ready.isEmpty {
            let consumerID = ready.removeFirst()
            guard let consumer = watchers[consumerID] else { continue }
            let delivery = messages[head].withUnsafeBytes {
                ChannelWire.delivery(.queue, name: name, encodedData: $0)
            }
            messages[head] = []
            head += 1
            consumer.send(.object(delivery))
        }
        if head > 64 && head * 2 > messages.count {
            messages.removeFirst(head)
            head = 0
        }
    }
}
