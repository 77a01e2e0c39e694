/// What a protocol decodes a packet into, and what `send` takes.
///
/// Text protocols give `.text`, byte-oriented ones (`frame`, raw `tcp`, websocket binary) give
/// `.binary`, and a protocol with a richer type (an HTTP request, a JSON value) gives `.object`.
/// `"\(data)"` and `data.string` read any of them as text.
public enum Message {
    /// A UTF-8 text packet.
    case text(String)
    /// A packet of bytes.
    case binary([UInt8])
    /// A protocol-specific value; read it with `value(as:)`. (Boxed, so that a Message stays small
    /// and cheap to copy on the hot path.)
    indirect case object(Any)

    /// The message as text: `.text` as is, `.binary` decoded as UTF-8, `.object` described.
    public var string: String {
        switch self {
        case .text(let text): return text
        case .binary(let bytes): return String(decoding: bytes, as: UTF8.self)
        case .object(let value): return String(describing: value)
        }
    }

    /// The message as bytes: `.binary` as is, `.text` as its UTF-8, `.object` as its description's.
    public var bytes: [UInt8] {
        switch self {
        case .binary(let bytes): return bytes
        default: return Array(string.utf8)
        }
    }

    /// True for `.binary` messages.
    public var isBinary: Bool {
        if case .binary = self { return true }
        return false
    }

    /// The `.object` value as `T` (or a `.text`/`.binary` message that is a `T`); nil otherwise.
    public func value<T>(as type: T.Type = T.self) -> T? {
        switch self {
        case .object(let value): return value as? T
        case .text(let text): return text as? T
        case .binary(let bytes): return bytes as? T
        }
    }
}

extension Message: CustomStringConvertible {
    /// The same as `string`.
    public var description: String { string }
}

extension Message: ExpressibleByStringLiteral {
    /// `.text(literal)`.
    public init(stringLiteral value: String) { self = .text(value) }
}

extension Message: Equatable {
    /// Text equals text, bytes equal bytes; `.object` messages never compare equal.
    public static func == (lhs: Message, rhs: Message) -> Bool {
        switch (lhs, rhs) {
        case (.text(let a), .text(let b)): return a == b
        case (.binary(let a), .binary(let b)): return a == b
        default: return false
        }
    }
}
