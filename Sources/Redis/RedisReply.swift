/// One reply from Redis, RESP2 or RESP3, as it arrived.
///
/// ```swift
/// redis.command("HGETALL", "user:1") { result in
///     if case .success(let reply) = result { print(reply.strings ?? []) }
/// }
/// ```
/// RESP2 servers send simple strings, errors, integers, bulk strings and arrays; a RESP3 connection
/// (`RedisOptions.protocolVersion = 3`) adds null, double, boolean, big number, verbatim string,
/// map, set and push. Error replies to a command arrive as `.failure(.server(...))` in its completion;
/// `.error` is only seen inside an aggregate (the results of `EXEC`).
public enum RedisReply: Hashable, Sendable {
    /// `+OK`: a short status text.
    case simpleString(String)
    /// `-ERR ...` (and RESP3 `!` blob errors): the error's text, code first.
    case error(String)
    /// `:42`: a signed 64-bit integer.
    case integer(Int64)
    /// `$5 hello`: binary-safe bytes.
    case bulkString([UInt8])
    /// `$-1`, `*-1` and RESP3 `_`: nothing.
    case null
    /// `*2 ...`: an ordered list.
    case array([RedisReply])
    /// RESP3 `,3.14`.
    case double(Double)
    /// RESP3 `#t` / `#f`.
    case boolean(Bool)
    /// RESP3 `(3492890328409238509324850943850943825024385`: an integer as its decimal text.
    case bigNumber(String)
    /// RESP3 `=15 txt:Some string`: text with a three-letter format.
    case verbatimString(format: String, [UInt8])
    /// RESP3 `%2 ...`: key-value pairs in the order sent.
    case map([RedisPair])
    /// RESP3 `~3 ...`: an unordered collection.
    case set([RedisReply])
    /// RESP3 `>3 ...`: out-of-band data (pub/sub messages, invalidations).
    case push([RedisReply])
}

/// One entry of a RESP3 map reply.
public struct RedisPair: Hashable, Sendable {
    /// The entry's key.
    public let key: RedisReply
    /// The entry's value.
    public let value: RedisReply

    /// A pair of `key` and `value`.
    public init(key: RedisReply, value: RedisReply) {
        self.key = key
        self.value = value
    }
}

extension RedisReply {
    /// The bytes of a bulk, simple or verbatim string (a big number's digits, an integer's decimal
    /// text); nil otherwise.
    public var bytes: [UInt8]? {
        switch self {
        case .bulkString(let bytes), .verbatimString(_, let bytes): return bytes
        case .simpleString(let text), .bigNumber(let text): return Array(text.utf8)
        case .integer(let number): return Array(String(number).utf8)
        default: return nil
        }
    }

    /// `bytes` decoded as UTF-8 (invalid sequences replaced); nil for other replies.
    public var string: String? { bytes.map { String(decoding: $0, as: UTF8.self) } }

    /// An integer reply, or a string reply holding a decimal 64-bit integer; nil otherwise.
    public var integer: Int64? {
        if case .integer(let number) = self { return number }
        guard let bytes, let number = Int64(String(decoding: bytes, as: UTF8.self)) else { return nil }
        return number
    }

    /// A double reply, an integer, or a string reply holding a number; nil otherwise.
    public var double: Double? {
        switch self {
        case .double(let number): return number
        case .integer(let number): return Double(number)
        default: return string.flatMap { Double($0) }
        }
    }

    /// The elements of an array, set or push reply (a map's keys and values interleaved); nil otherwise.
    public var elements: [RedisReply]? {
        switch self {
        case .array(let elements), .set(let elements), .push(let elements): return elements
        case .map(let pairs): return pairs.flatMap { [$0.key, $0.value] }
        default: return nil
        }
    }

    /// The elements as strings (nil elements for nulls); nil when this is not an aggregate.
    public var strings: [String?]? { elements?.map { $0.string } }

    /// True for `.null`.
    public var isNull: Bool { self == .null }

    /// The text of an error reply; nil otherwise.
    public var errorMessage: String? {
        if case .error(let message) = self { return message }
        return nil
    }
}
