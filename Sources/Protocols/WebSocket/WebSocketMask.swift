/// Masking (RFC 6455 §5.3): the payload XORed with a 4-byte key, repeated.
enum WebSocketMask {
    /// Copies `source` to `destination`, XORed with `key` (as read from the wire) when there is one.
    static func copy(_ source: UnsafeRawBufferPointer, maskedWith key: UInt32?, to destination: UnsafeMutableRawPointer)
    {
        guard let key else {
            if let base = source.baseAddress, source.count > 0 {
                destination.copyMemory(from: base, byteCount: source.count)
            }
            return
        }
        _ = copyCheckingASCII(source, maskedWith: key, to: destination)
    }

    /// Copies `source` to `destination` XORed with `key` (0: as it is), eight bytes at a time;
    /// returns true when every byte copied is ASCII (below 0x80), which needs no further UTF-8 check.
    static func copyCheckingASCII(
        _ source: UnsafeRawBufferPointer, maskedWith key: UInt32, to destination: UnsafeMutableRawPointer
    ) -> Bool {
        let count = source.count
        guard count > 0, let base = source.baseAddress else { return true }
        let wide = UInt64(key) | UInt64(key) << 32
        var seen: UInt64 = 0
        var index = 0
        while index + 8 <= count {
            let word = (base + index).loadUnaligned(as: UInt64.self) ^ wide
            (destination + index).storeBytes(of: word, as: UInt64.self)
            seen |= word
            index += 8
        }
        // Byte j of the key as it lies in memory (as it came on the wire) is `littleEndian >> 8j`.
        let keyInMemoryOrder = key.littleEndian
        while index < count {
            let keyByte = UInt8(truncatingIfNeeded: keyInMemoryOrder >> ((index & 3) &* 8))
            let byte = base.load(fromByteOffset: index, as: UInt8.self) ^ keyByte
            destination.storeBytes(of: byte, toByteOffset: index, as: UInt8.self)
            seen |= UInt64(byte)
            index += 1
        }
        return seen & 0x8080_8080_8080_8080 == 0
    }

    /// A fresh random masking key.
    static func randomKey() -> UInt32 { UInt32.random(in: 0...UInt32.max) }
}
