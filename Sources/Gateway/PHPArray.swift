/// PHP's array: an ordered map of integer or string keys to values. A GatewayWorker session is one
/// (`GatewaySession`).
///
/// ```swift
/// var session: GatewaySession = ["uid": "alice", "rooms": ["lobby", "swift"]]
/// session["visits"] = 3
/// ```
public struct PHPArray: Hashable, Sendable, RandomAccessCollection, ExpressibleByDictionaryLiteral,
    ExpressibleByArrayLiteral
{
    /// The keys in order.
    public private(set) var keys: [PHPKey] = []
    private var values: [PHPKey: PHPValue] = [:]
    /// The next key `append` uses (PHP's next free integer key).
    private var nextIndex = 0

    /// An empty array.
    public init() {}

    /// The pairs in order; a repeated key keeps its first position and its last value, as in PHP.
    public init(_ pairs: some Sequence<(PHPKey, PHPValue)>) {
        for (key, value) in pairs { self[key] = value }
    }

    /// A list: keys 0, 1, 2, ...
    public init(list: some Sequence<PHPValue>) {
        for value in list { append(value) }
    }

    /// A map in the order written.
    public init(dictionaryLiteral elements: (PHPKey, PHPValue)...) { self.init(elements) }

    /// A list: keys 0, 1, 2, ...
    public init(arrayLiteral elements: PHPValue...) { self.init(list: elements) }

    /// 0.
    public var startIndex: Int { 0 }
    /// The number of entries.
    public var endIndex: Int { keys.count }
    /// The entry at `position`, in order.
    public subscript(position: Int) -> (key: PHPKey, value: PHPValue) {
        let key = keys[position]
        return (key, values[key]!)
    }

    /// The value under `key`; setting nil removes the entry.
    public subscript(key: PHPKey) -> PHPValue? {
        get { values[key] }
        set {
            guard let newValue else {
                if values.removeValue(forKey: key) != nil { keys.removeAll { $0 == key } }
                return
            }
            if values.updateValue(newValue, forKey: key) == nil {
                keys.append(key)
                if case .int(let number) = key, number >= nextIndex { nextIndex = number &+ 1 }
            }
        }
    }

    /// Appends `value` under the next integer key (PHP's `$array[] = value`).
    public mutating func append(_ value: PHPValue) { self[.int(nextIndex)] = value }

    /// The values in order.
    public var orderedValues: [PHPValue] { keys.map { values[$0]! } }

    /// PHP's `array_replace_recursive($self, $other)`: `other`'s entries replace this array's,
    /// arrays under the same key merge the same way.
    public func replacingRecursively(with other: PHPArray) -> PHPArray {
        var merged = self
        for (key, value) in other {
            if case .array(let inner) = value, case .array(let mine)? = merged[key] {
                merged[key] = .array(mine.replacingRecursively(with: inner))
            } else {
                merged[key] = value
            }
        }
        return merged
    }

    /// Equal when the same keys map to equal values in the same order.
    public static func == (lhs: PHPArray, rhs: PHPArray) -> Bool { lhs.keys == rhs.keys && lhs.values == rhs.values }

    /// Hashes the keys and values in order.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(keys)
        for key in keys { hasher.combine(values[key]) }
    }
}

/// A GatewayWorker client session: PHP's `$_SESSION`, an ordered map of string or integer keys to
/// PHP-representable values, stored by the gateway in PHP's `serialize` format.
public typealias GatewaySession = PHPArray
