import WorkermanCore

/// The connections subscribed to one event name, in subscription order, with the round-robin
/// cursor of `publishLoop`.
struct SubscriberList {
    private(set) var members: [TcpConnection] = []
    private var cursor = 0

    var isEmpty: Bool { members.isEmpty }

    /// Adds `connection` unless it is already a member.
    mutating func add(_ connection: TcpConnection) {
        guard !members.contains(where: { $0 === connection }) else { return }
        members.append(connection)
    }

    /// Removes `connection`, keeping the round-robin order of the others.
    mutating func remove(_ connection: TcpConnection) {
        guard let index = members.firstIndex(where: { $0 === connection }) else { return }
        members.remove(at: index)
        if index < cursor { cursor -= 1 }
        if cursor >= members.count { cursor = 0 }
    }

    /// The next member in turn, for `publishLoop`; nil when there is none.
    mutating func next() -> TcpConnection? {
        guard !members.isEmpty else { return nil }
        if cursor >= members.count { cursor = 0 }
        defer { cursor = (cursor + 1) % members.count }
        return members[cursor]
    }
}
