/// A value PHP can `serialize` without objects: what a GatewayWorker session and the bodies of
/// internal frames carry.
///
/// PHP strings are byte strings; here they are Swift `String`s (bytes that are not UTF-8 are read
/// as U+FFFD). An `array` is PHP's ordered map (`PHPArray`).
public enum PHPValue: Hashable, Sendable {
    /// `null`.
    case null
    /// `true` or `false`.
    case bool(Bool)
    /// An integer (64-bit, as PHP's on Linux).
    case int(Int)
    /// A float.
    case double(Double)
    /// A string.
    case string(String)
    /// An ordered map of integer or string keys.
    case array(PHPArray)

    /// The string, or nil for any other kind.
    public var string: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    /// The integer (also from a numeric string, as PHP reads one), or nil.
    public var int: Int? {
        switch self {
        case .int(let number): return number
        case .string(let text): return Int(text)
        default: return nil
        }
    }

    /// The array, or nil for any other kind.
    public var array: PHPArray? {
        if case .array(let array) = self { return array }
        return nil
    }

    /// True for `null`.
    public var isNull: Bool { self == .null }

    /// PHP's `empty()`: null, false, 0, 0.0, "", "0" and an empty array.
    public var isEmpty: Bool {
        switch self {
        case .null: return true
        case .bool(let flag): return !flag
        case .int(let number): return number == 0
        case .double(let number): return number == 0
        case .string(let text): return text.isEmpty || text == "0"
        case .array(let array): return array.isEmpty
        }
    }

    /// The value as PHP's `(string)` cast would give it for scalars ("" for null, "1"/"" for booleans).
    public var stringValue: String {
        switch self {
        case .null: return ""
        case .bool(let flag): return flag ? "1" : ""
        case .int(let number): return String(number)
        case .double(let number): return PHPSerialization.format(number)
        case .string(let text): return text
        case .array: return "Array"
        }
    }
}

/// A PHP array key: an integer or a string. A string that PHP would store as an integer ("5",
/// "-3", not "05") becomes `.int`, as it does in PHP.
public enum PHPKey: Hashable, Sendable, CustomStringConvertible {
    /// An integer key.
    case int(Int)
    /// A string key.
    case string(String)

    /// The key PHP would use for `text`.
    public init(_ text: String) {
        if let number = Int(text), String(number) == text { self = .int(number) } else { self = .string(text) }
    }

    /// The key as text.
    public var description: String {
        switch self {
        case .int(let number): return String(number)
        case .string(let text): return text
        }
    }
}

extension PHPKey: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral {
    /// `PHPKey(text)`.
    public init(stringLiteral value: String) { self.init(value) }
    /// `.int(value)`.
    public init(integerLiteral value: Int) { self = .int(value) }
}

extension PHPValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByNilLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
    /// `.string(value)`.
    public init(stringLiteral value: String) { self = .string(value) }
    /// `.int(value)`.
    public init(integerLiteral value: Int) { self = .int(value) }
    /// `.double(value)`.
    public init(floatLiteral value: Double) { self = .double(value) }
    /// `.bool(value)`.
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    /// `.null`.
    public init(nilLiteral: ()) { self = .null }
    /// A list: keys 0, 1, 2, ...
    public init(arrayLiteral elements: PHPValue...) { self = .array(PHPArray(list: elements)) }
    /// A map in the order written.
    public init(dictionaryLiteral elements: (PHPKey, PHPValue)...) { self = .array(PHPArray(elements)) }
}
