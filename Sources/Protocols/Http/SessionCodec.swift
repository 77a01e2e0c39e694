/// The stored form of a session's data: `name=value` pairs joined by "&", both percent-encoded
/// (the `application/x-www-form-urlencoded` form, readable in a session file).
enum SessionCodec {
    /// The bytes to store for `values`, names sorted.
    static func encode(_ values: [String: String]) -> [UInt8] {
        var bytes: [UInt8] = []
        for (name, value) in values.sorted(by: { $0.key < $1.key }) {
            if !bytes.isEmpty { bytes.append(UInt8(ascii: "&")) }
            append(name, to: &bytes)
            bytes.append(UInt8(ascii: "="))
            append(value, to: &bytes)
        }
        return bytes
    }

    /// The values stored in `bytes`.
    static func decode(_ bytes: [UInt8]) -> [String: String] {
        var values: [String: String] = [:]
        for piece in bytes.split(separator: UInt8(ascii: "&")) {
            let equals = piece.firstIndex(of: UInt8(ascii: "=")) ?? piece.endIndex
            let name = PercentEncoding.decode(piece[..<equals])
            let value = equals < piece.endIndex ? PercentEncoding.decode(piece[(equals + 1)...]) : ""
            values[name] = value
        }
        return values
    }

    /// Appends `text` with every byte but unreserved ones (RFC 3986 §2.3) as "%XX".
    private static func append(_ text: String, to bytes: inout [UInt8]) {
        let digits = Array("0123456789ABCDEF".utf8)
        for byte in text.utf8 {
            let unreserved =
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a)
                || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_")
                || byte == UInt8(ascii: "~")
            if unreserved {
                bytes.append(byte)
            } else {
                bytes += [UInt8(ascii: "%"), digits[Int(byte >> 4)], digits[Int(byte & 15)]]
            }
        }
    }
}
