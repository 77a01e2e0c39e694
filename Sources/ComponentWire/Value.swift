/// A JSON-like value: what Channel events carry and what GlobalData stores (PHP's "mixed").
///
/// ```swift
/// let event: Value = ["group_id": "123", "message": "hello", "tags": [1, 2.5, true, .null]]
/// event["group_id"].string      // "123"
/// event["tags"][1].double       // 2.5
/// event["missing"].isNull       // true
/// ```
/// Values are plain Swift values: what a client returns is a copy, and changing it changes nothing
/// on the server (store the whole value again). `Value` is `Codable`, so it converts to and from
/// JSON with Foundation's coders, and `Hashable`, so `cas` can compare values. Write `.null` for
/// null: `Value` deliberately does not take the `nil` literal, so that `try global.get(key) == nil`
/// always means "no such key" and never "holds null".
public enum Value: Hashable, Sendable {
    /// Nothing (PHP's null, JSON's null).
    case null
    /// true or false.
    case bool(Bool)
    /// A 64-bit signed integer.
    case int(Int64)
    /// A 64-bit floating-point number.
    case double(Double)
    /// UTF-8 text.
    case string(String)
    /// Raw bytes (PHP strings that are not text; JSON has no such type).
    case bytes([UInt8])
    /// An ordered list.
    case array([Value])
    /// String keys to values (JSON's object, PHP's associative array).
    case object([String: Value])
}

extension Value {
    /// The text of a `.string` (or `.bytes` that are valid UTF-8); nil otherwise.
    public var string: String? {
        switch self {
        case .string(let text): return text
        case .bytes(let bytes): return String(validating: bytes, as: UTF8.self)
        default: return nil
        }
    }

    /// The number of an `.int`, or of a `.double` that is a whole number; nil otherwise.
    public var int: Int? {
        switch self {
        case .int(let number): return Int(exactly: number)
        case .double(let number): return Int(exactly: number)
        default: return nil
        }
    }

    /// The number of a `.double` or an `.int`; nil otherwise.
    public var double: Double? {
        switch self {
        case .double(let number): return number
        case .int(let number): return Double(number)
        default: return nil
        }
    }

    /// The flag of a `.bool`; nil otherwise.
    public var bool: Bool? {
        if case .bool(let flag) = self { return flag }
        return nil
    }

    /// The elements of an `.array`; nil otherwise.
    public var array: [Value]? {
        if case .array(let elements) = self { return elements }
        return nil
    }

    /// The members of an `.object`; nil otherwise.
    public var object: [String: Value]? {
        if case .object(let members) = self { return members }
        return nil
    }

    /// True for `.null`.
    public var isNull: Bool { self == .null }

    /// The member `key` of an object; `.null` when this is not an object or has no such member.
    public subscript(key: String) -> Value {
        get { object?[key] ?? .null }
        set {
            var members = object ?? [:]
            members[key] = newValue
            self = .object(members)
        }
    }

    /// The element at `index` of an array; `.null` when out of range or not an array.
    public subscript(index: Int) -> Value {
        guard let elements = array, elements.indices.contains(index) else { return .null }
        return elements[index]
    }
}
