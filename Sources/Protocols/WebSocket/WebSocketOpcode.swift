/// A frame's opcode (RFC 6455 §5.2); values 3-7 and 11-15 are reserved and refused.
enum WebSocketOpcode: UInt8 {
    case continuation = 0x0
    case text = 0x1
    case binary = 0x2
    case close = 0x8
    case ping = 0x9
    case pong = 0xA

    /// True for close, ping and pong, which may not be fragmented or longer than 125 bytes.
    var isControl: Bool { rawValue & 0x8 != 0 }
}

/// Which kind of data frame `send` writes (Workerman's `websocketType`: `BINARY_TYPE_BLOB` is
/// text, `BINARY_TYPE_ARRAYBUFFER` is binary).
public enum WebSocketMessageType: Sendable {
    /// Text frames (opcode 1): the payload must be UTF-8.
    case text
    /// Binary frames (opcode 2).
    case binary
}
