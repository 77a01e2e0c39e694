/// HTTP header fields: names compared case-insensitively, repeated names kept in order.
///
/// ```swift
/// request.headers["content-type"]          // the first value, any case of the name
/// request.headers.values(for: "Cookie")    // every value
/// ```
public struct HttpHeaders: Sequence {
    /// The fields in the order they were received or added, names as given.
    public private(set) var fields: [(name: String, value: String)] = []

    /// No fields.
    public init() {}

    /// The given fields, in the dictionary's order.
    public init(_ dictionary: [String: String]) {
        for (name, value) in dictionary { add(name, value) }
    }

    /// The first value of `name`, or nil; assigning replaces every value of `name` (nil removes them).
    public subscript(name: String) -> String? {
        get { fields.first { Self.sameName($0.name, name) }?.value }
        set {
            remove(name)
            if let newValue { add(name, newValue) }
        }
    }

    /// Every value of `name`, in order.
    public func values(for name: String) -> [String] {
        fields.filter { Self.sameName($0.name, name) }.map(\.value)
    }

    /// True when `name` is present.
    public func contains(_ name: String) -> Bool { fields.contains { Self.sameName($0.name, name) } }

    /// The number of fields named `name`.
    public func count(of name: String) -> Int { fields.reduce(0) { $0 + (Self.sameName($1.name, name) ? 1 : 0) } }

    /// Appends a field, keeping any with the same name.
    public mutating func add(_ name: String, _ value: String) { fields.append((name, value)) }

    /// Removes every field named `name`.
    public mutating func remove(_ name: String) { fields.removeAll { Self.sameName($0.name, name) } }

    /// The number of fields.
    public var count: Int { fields.count }

    /// Iterates the fields in order.
    public func makeIterator() -> IndexingIterator<[(name: String, value: String)]> { fields.makeIterator() }

    /// True when the comma-separated value of `name` lists `token` (case-insensitively): `Connection: close`.
    public func hasToken(_ token: String, in name: String) -> Bool {
        for value in values(for: name) {
            for item in value.split(separator: ",") where Self.sameName(HttpText.trimmed(item), token) {
                return true
            }
        }
        return false
    }

    /// ASCII case-insensitive comparison of header names.
    static func sameName(_ a: some StringProtocol, _ b: some StringProtocol) -> Bool {
        let left = a.utf8
        let right = b.utf8
        guard left.count == right.count else { return false }
        for (x, y) in zip(left, right) where HttpText.lowercase(x) != HttpText.lowercase(y) { return false }
        return true
    }
}
