/// Masking (RFC 6455 §5.3): the payload XORed with a 4-byte key, repeated.
enum WebSocketMask {
    /// Copies `source` to `destination`, XORed with `key` (as read from the wire) when there is one.
    static func copy(_ source: UnsafeRawBufferPointer, maskedWith key: UInt32?, to destination: UnsafeMutableRawPointer)
    {
        let count = source.count
        guard count > 0, let base = source.baseAddress else { return }
        guard let key else {
            destination.copyMemory(from: base, byteCount: count)
            return
        }
        let wide = UInt64(key) | UInt64(key) << 32
        var index = 0
        while index + 8 <= count {
            let word = source.loadUnaligned(fromByteOffset: index, as: UInt64.self) ^ wide
            destination.storeBytes(of: word, toByteOffset: index, as: UInt64.self)
            index += 8
        }
        withUnsafeBytes(of: key) { keyBytes in
            while index < count {
                destination.storeBytes(of: source[index] ^ keyBytes[index & 3], toByteOffset: index, as: UInt8.self)
                index += 1
            }
        }
    }

    /// A fresh random masking key.
    static func randomKey() -> UInt32 { UInt32.random(in: 0...UInt32.max) }
}
