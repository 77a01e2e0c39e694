import WorkermanCore

/// Writes frames: the header, then the payload (masked when a key is given, as a client must).
enum WebSocketFrameWriter {
    /// Appends one final frame of `opcode` carrying `payload`.
    static func write(
        _ opcode: WebSocketOpcode, payload: UnsafeRawBufferPointer, compressed: Bool = false, maskKey: UInt32?,
        into buffer: inout ByteBuffer
    ) {
        writeHeader(opcode, length: payload.count, compressed: compressed, maskKey: maskKey, into: &buffer)
        guard payload.count > 0 else { return }
        _ = buffer.writeWithUnsafeMutableBytes(minimumWritable: payload.count) { space in
            WebSocketMask.copy(payload, maskedWith: maskKey, to: space.baseAddress!)
            return payload.count
        }
    }

    /// Appends the header of a final frame whose payload follows.
    static func writeHeader(
        _ opcode: WebSocketOpcode, length: Int, compressed: Bool, maskKey: UInt32?, into buffer: inout ByteBuffer
    ) {
        buffer.writeInteger(0x80 | (compressed ? 0x40 : 0) | opcode.rawValue)
        let maskBit: UInt8 = maskKey == nil ? 0 : 0x80
        if length < 126 {
            buffer.writeInteger(maskBit | UInt8(length))
        } else if length <= Int(UInt16.max) {
            buffer.writeInteger(maskBit | 126)
            buffer.writeInteger(UInt16(length))
        } else {
            buffer.writeInteger(maskBit | 127)
            buffer.writeInteger(UInt64(length))
        }
        if let maskKey { buffer.writeInteger(maskKey, bigEndian: false) }
    }

    /// Appends a close frame with `code` (none when nil) and `reason`, cut to fit 125 bytes.
    static func writeClose(code: UInt16?, reason: String, maskKey: UInt32?, into buffer: inout ByteBuffer) {
        var payload: [UInt8] = []
        if let code {
            payload = [UInt8(code >> 8), UInt8(code & 0xFF)]
            var reasonBytes = Array(reason.utf8.prefix(123))
            while !reasonBytes.isEmpty && !reasonBytes.withUnsafeBytes({ UTF8Validator.isValid($0) }) {
                reasonBytes.removeLast()  // do not cut a character in half
            }
            payload += reasonBytes
        }
        payload.withUnsafeBytes { write(.close, payload: $0, maskKey: maskKey, into: &buffer) }
    }
}
