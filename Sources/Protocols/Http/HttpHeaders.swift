/// HTTP header fields: names compared case-insensitively, repeated names kept in order.
///
/// ```swift
/// request.headers["content-type"]          // the first value, any case of the name
/// request.headers.values(for: "Cookie")    // every value
/// let headers: HttpHeaders = ["Content-Type": "text/plain", "X-Id": "7"]   // a list, in this order
/// ```
public struct HttpHeaders: Sequence, ExpressibleByDictionaryLiteral {
    /// The fields in the order they were received or added, names as given.
    public private(set) var fields: [(name: String, value: String)] = []

    /// No fields.
    public init() {}

    /// The given fields, in the dictionary's order.
    public init(_ dictionary: [String: String]) {
        fields.reserveCapacity(dictionary.count)
        for (name, value) in dictionary { add(name, value) }
    }

    /// The fields of a literal, in its order: the literal's own array is kept (no dictionary, no copy).
    /// A literal of constant strings is one constant array for the compiler, the same at every
    /// evaluation, so the encoder validates and writes out its fields once (see `ResponseFieldCache`).
    public init(dictionaryLiteral elements: (String, String)...) {
        // A labelled tuple has the layout of the unlabelled one: the same array, with its labels.
        fields = unsafeBitCast(elements, to: [(name: String, value: String)].self)
    }

    /// The first value of `name`, or nil; assigning replaces every value of `name` (nil removes them).
    public subscript(name: String) -> String? {
        get {
            for field in fields where Self.sameName(field.name, name) { return field.value }
            return nil
        }
        set {
            remove(name)
            if let newValue { add(name, newValue) }
        }
    }

    /// Every value of `name`, in order.
    public func values(for name: String) -> [String] {
        var values: [String] = []
        for field in fields where Self.sameName(field.name, name) { values.append(field.value) }
        return values
    }

    /// True when `name` is present.
    public func contains(_ name: String) -> Bool {
        for field in fields where Self.sameName(field.name, name) { return true }
        return false
    }

    /// The number of fields named `name`.
    public func count(of name: String) -> Int {
        var count = 0
        for field in fields where Self.sameName(field.name, name) { count += 1 }
        return count
    }

    /// Appends a field, keeping any with the same name.
    public mutating func add(_ name: String, _ value: String) {
        fields.append((name, value))
    }

    /// Appends a field of a parsed request (valid by then).
    mutating func append(parsed name: String, _ value: String) { fields.append((name, value)) }

    /// Removes every field named `name`.
    public mutating func remove(_ name: String) {
        guard contains(name) else { return }  // leaves the storage alone (no copy) when there is nothing to remove
        fields.removeAll { Self.sameName($0.name, name) }
    }

    /// The number of fields.
    public var count: Int { fields.count }

    /// Iterates the fields in order.
    public func makeIterator() -> IndexingIterator<[(name: String, value: String)]> { fields.makeIterator() }

    /// True when the comma-separated value of `name` lists `token` (case-insensitively): `Connection: close`.
    public func hasToken(_ token: String, in name: String) -> Bool {
        for field in fields where Self.sameName(field.name, name) {
            if Self.listsToken(token, in: field.value) { return true }
        }
        return false
    }

    /// True when the comma-separated `value` lists `token` in any case, spaces and tabs around items ignored.
    static func listsToken(_ token: String, in value: String) -> Bool {
        let listed = HttpText.withBytes(of: value) { bytes -> Bool? in
            guard HttpText.isASCII(bytes) else { return nil }
            return HttpText.withBytes(of: token) { wanted in
                HttpText.listContains(bytes) { HttpText.equalsIgnoringCase($0, wanted) }
            }
        }
        if let listed { return listed }
        // Not ASCII: split by Characters, as a String does (a comma with a combining mark is no comma).
        for item in value.split(separator: ",") where sameName(HttpText.trimmed(item), token) { return true }
        return false
    }

    /// ASCII case-insensitive comparison of header names.
    static func sameName(_ a: some StringProtocol, _ b: some StringProtocol) -> Bool {
        guard a.utf8.count == b.utf8.count else { return false }
        return HttpText.withBytes(of: a) { left in
            HttpText.withBytes(of: b) { right in HttpText.equalsIgnoringCase(left, right) }
        }
    }
}
