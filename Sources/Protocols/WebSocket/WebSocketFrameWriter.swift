import WorkermanCore

/// Writes frames: the header, then the payload (masked when a key is given, as a client must).
enum WebSocketFrameWriter {
    /// Appends one final frame of `opcode` carrying `payload`: header and payload written in one go.
    static func write(
        _ opcode: WebSocketOpcode, payload: UnsafeRawBufferPointer, compressed: Bool = false, maskKey: UInt32?,
        into buffer: inout ByteBuffer
    ) {
        let count = payload.count
        let headerLength = headerLength(payloadLength: count, masked: maskKey != nil)
        _ = buffer.writeWithUnsafeMutableBytes(minimumWritable: headerLength + count) { space in
            let base = space.baseAddress!
            writeHeader(opcode, length: count, compressed: compressed, maskKey: maskKey, to: base)
            WebSocketMask.copy(payload, maskedWith: maskKey, to: base + headerLength)
            return headerLength + count
        }
    }

    /// Appends an unmasked final text frame carrying `text` (a server's).
    static func writeText(_ text: String, into buffer: inout ByteBuffer) {
        if let done: Void = text.utf8.withContiguousStorageIfAvailable({
            write(.text, payload: UnsafeRawBufferPointer($0), maskKey: nil, into: &buffer)
        }) {
            return done
        }
        var copy = text  // a bridged string: made contiguous first
        copy.withUTF8 { write(.text, payload: UnsafeRawBufferPointer($0), maskKey: nil, into: &buffer) }
    }

    /// The length of a frame header: 2 bytes, 2 or 8 more for an extended length, 4 for a mask key.
    @inline(__always)
    static func headerLength(payloadLength: Int, masked: Bool) -> Int {
        (payloadLength < 126 ? 2 : payloadLength <= Int(UInt16.max) ? 4 : 10) + (masked ? 4 : 0)
    }

    /// Stores the header of a final frame whose payload follows at `base`
    /// (`headerLength(payloadLength:masked:)` bytes).
    @inline(__always)
    static func writeHeader(
        _ opcode: WebSocketOpcode, length: Int, compressed: Bool, maskKey: UInt32?, to base: UnsafeMutableRawPointer
    ) {
        base.storeBytes(of: 0x80 | (compressed ? 0x40 : 0) | opcode.rawValue, as: UInt8.self)
        let maskBit: UInt8 = maskKey == nil ? 0 : 0x80
        var keyOffset = 2
        if length < 126 {
            base.storeBytes(of: maskBit | UInt8(truncatingIfNeeded: length), toByteOffset: 1, as: UInt8.self)
        } else if length <= Int(UInt16.max) {
            base.storeBytes(of: maskBit | 126, toByteOffset: 1, as: UInt8.self)
            base.storeBytes(of: UInt16(truncatingIfNeeded: length).bigEndian, toByteOffset: 2, as: UInt16.self)
            keyOffset = 4
        } else {
            base.storeBytes(of: maskBit | 127, toByteOffset: 1, as: UInt8.self)
            base.storeBytes(of: UInt64(length).bigEndian, toByteOffset: 2, as: UInt64.self)
            keyOffset = 10
        }
        // The key as it goes on the wire: the same byte order it is read in (`WebSocketMask.copy`).
        if let maskKey { base.storeBytes(of: maskKey, toByteOffset: keyOffset, as: UInt32.self) }
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
