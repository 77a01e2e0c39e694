/// A typed key for per-connection data: declare it once, read and write it on any connection.
///
/// ```swift
/// extension ContextKey where Value == String {
///     static var uid: Self { .init("uid") }
/// }
/// connection.context[.uid] = "42"
/// let uid = connection.context[.uid]          // String?
/// ```
/// Keys are equal when their names and value types are.
public struct ContextKey<Value>: Hashable, Sendable {
    /// The key's name, unique among keys of the same value type.
    public let name: String

    /// A key called `name`.
    public init(_ name: String) { self.name = name }
}

/// The data an application keeps on a connection (Workerman code sets ad-hoc properties such as
/// `$connection->uid` or `$connection->lastMessageTime`): typed values under `ContextKey`s.
public struct ConnectionContext {
    private struct StorageKey: Hashable {
        let name: String
        let type: ObjectIdentifier
    }

    private var values: [StorageKey: Any] = [:]

    /// An empty context.
    public init() {}

    /// The value under `key`, or nil; assigning nil removes it.
    public subscript<Value>(key: ContextKey<Value>) -> Value? {
        get { values[StorageKey(name: key.name, type: ObjectIdentifier(Value.self))] as? Value }
        set { values[StorageKey(name: key.name, type: ObjectIdentifier(Value.self))] = newValue }
    }

    /// The value under `key`, or `defaultValue` when there is none (and `+=` and friends store it).
    public subscript<Value>(key: ContextKey<Value>, default defaultValue: @autoclosure () -> Value) -> Value {
        get { self[key] ?? defaultValue() }
        set { self[key] = newValue }
    }

    /// True when nothing is stored.
    public var isEmpty: Bool { values.isEmpty }

    /// Removes every value.
    public mutating func removeAll() { values.removeAll() }
}
