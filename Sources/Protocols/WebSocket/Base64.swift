/// Standard base64 (RFC 4648 §4, with padding), for handshake keys.
enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// `bytes` in base64.
    static func encode(_ bytes: [UInt8]) -> String {
        var output: [UInt8] = []
        output.reserveCapacity((bytes.count + 2) / 3 * 4)
        for start in stride(from: 0, to: bytes.count, by: 3) {
            let chunk = bytes[start..<min(start + 3, bytes.count)]
            var group = 0
            for (offset, byte) in chunk.enumerated() { group |= Int(byte) << (16 - 8 * offset) }
            for index in 0..<4 {
                output.append(index <= chunk.count ? alphabet[(group >> (18 - 6 * index)) & 63] : UInt8(ascii: "="))
            }
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// The number of bytes `text` decodes to, or nil when it is not padded base64.
    static func decodedLength(of text: String) -> Int? {
        let characters = Array(text.utf8)
        guard characters.count % 4 == 0 else { return nil }
        let padding = characters.reversed().prefix(while: { $0 == UInt8(ascii: "=") }).count
        guard padding <= 2, characters.dropLast(padding).allSatisfy({ alphabet.contains($0) }) else { return nil }
        return characters.count / 4 * 3 - padding
    }
}
