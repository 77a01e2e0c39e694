import WorkermanCore

/// The fixed part of a frame (RFC 6455 §5.2), read from the bytes received so far.
struct WebSocketFrameHeader {
    /// What reading a header found.
    enum Parsed {
        /// Not all header bytes are in yet.
        case needMore
        /// A well-formed header.
        case header(WebSocketFrameHeader)
        /// A header no endpoint may send, with the reason.
        case invalid(String)
    }

    // In this order the header takes 17 bytes (a session keeps the last one measured).

    /// The payload length.
    var payloadLength: Int
    /// The masking key as it appears on the wire, or nil for an unmasked frame.
    var maskKey: UInt32?
    /// The last frame of its message.
    var isFinal: Bool
    /// RSV1: the message is compressed (permessage-deflate).
    var isCompressed: Bool
    var opcode: WebSocketOpcode
    private var storedHeaderLength: UInt8

    /// The bytes before the payload: 2, plus 2 or 8 for an extended length, plus 4 for a mask key.
    var headerLength: Int { Int(storedHeaderLength) }

    init(
        isFinal: Bool, isCompressed: Bool, opcode: WebSocketOpcode, maskKey: UInt32?, payloadLength: Int,
        headerLength: Int
    ) {
        self.payloadLength = payloadLength
        self.maskKey = maskKey
        self.isFinal = isFinal
        self.isCompressed = isCompressed
        self.opcode = opcode
        storedHeaderLength = UInt8(headerLength)
    }

    /// The header at the start of `bytes`. Checks what holds for every endpoint: RSV2 and RSV3 clear,
    /// a defined opcode, control frames final and at most 125 bytes, a 64-bit length below 2^63.
    static func parse(_ bytes: ByteView) -> Parsed {
        // Every client frame under 126 bytes: masked, a 7-bit length, RSV2 and RSV3 clear, and a
        // control frame final (its length is then at most 125).
        let raw = bytes.buffer
        if raw.count >= 6 {
            let first = raw[0]
            let second = raw[1]
            if first & 0x30 == 0 && second & 0x80 != 0 && second & 0x7F < 126,
                let opcode = WebSocketOpcode(rawValue: first & 0x0F), first & 0x80 != 0 || !opcode.isControl
            {
                return .header(
                    WebSocketFrameHeader(
                        isFinal: first & 0x80 != 0, isCompressed: first & 0x40 != 0, opcode: opcode,
                        maskKey: raw.loadUnaligned(fromByteOffset: 2, as: UInt32.self),
                        payloadLength: Int(second & 0x7F), headerLength: 6))
            }
        }
        return parseInFull(bytes)
    }

    /// `parse` for every other header: extended lengths, unmasked frames, and the refusals.
    private static func parseInFull(_ bytes: ByteView) -> Parsed {
        guard bytes.count >= 2 else { return .needMore }
        let first = bytes[0]
        let second = bytes[1]
        guard first & 0x30 == 0 else { return .invalid("reserved bits RSV2/RSV3 set") }
        guard let opcode = WebSocketOpcode(rawValue: first & 0x0F) else {
            return .invalid("reserved opcode \(first & 0x0F)")
        }
        let isFinal = first & 0x80 != 0
        var length = Int(second & 0x7F)
        var headerLength = 2
        if opcode.isControl {
            guard isFinal else { return .invalid("fragmented control frame") }
            guard length <= 125 else { return .invalid("control frame longer than 125 bytes") }
        }
        if length == 126 {
            guard let extended = bytes.readInteger(at: 2, as: UInt16.self) else { return .needMore }
            length = Int(extended)
            headerLength = 4
        } else if length == 127 {
            guard let extended = bytes.readInteger(at: 2, as: UInt64.self) else { return .needMore }
            guard extended >> 63 == 0 else { return .invalid("payload length with the top bit set") }
            guard extended <= UInt64(Int32.max) else { return .invalid("payload length \(extended) is too large") }
            length = Int(extended)
            headerLength = 10
        }
        var maskKey: UInt32?
        if second & 0x80 != 0 {
            guard bytes.count >= headerLength + 4 else { return .needMore }
            maskKey = bytes.buffer.loadUnaligned(fromByteOffset: headerLength, as: UInt32.self)
            headerLength += 4
        }
        return .header(
            WebSocketFrameHeader(
                isFinal: isFinal, isCompressed: first & 0x40 != 0, opcode: opcode, maskKey: maskKey,
                payloadLength: length, headerLength: headerLength))
    }
}
