import WorkerCore

/// Byte-level helpers for HTTP's ASCII grammar (RFC 9110 §5.6): tokens, whitespace, case.
enum HttpText {
    /// `tchar` of RFC 9110: the bytes allowed in a token (method, header name).
    static let tokenBytes: [Bool] = {
        var table = [Bool](repeating: false, count: 256)
        for byte in UInt8(ascii: "0")...UInt8(ascii: "9") { table[Int(byte)] = true }
        for byte in UInt8(ascii: "a")...UInt8(ascii: "z") { table[Int(byte)] = true }
        for byte in UInt8(ascii: "A")...UInt8(ascii: "Z") { table[Int(byte)] = true }
        for byte in "!#$%&'*+-.^_`|~".utf8 { table[Int(byte)] = true }
        return table
    }()

    /// True for a `tchar`.
    @inline(__always)
    static func isToken(_ byte: UInt8) -> Bool { tokenBytes[Int(byte)] }

    /// True for a byte allowed in a field value: VCHAR, obs-text, SP and HTAB (no CR, LF, NUL or DEL).
    @inline(__always)
    static func isFieldValueByte(_ byte: UInt8) -> Bool {
        byte == 0x09 || (byte >= 0x20 && byte != 0x7f)
    }

    /// The byte in lower case when it is an ASCII letter.
    @inline(__always)
    static func lowercase(_ byte: UInt8) -> UInt8 {
        byte >= 0x41 && byte <= 0x5a ? byte | 0x20 : byte
    }

    /// `text` without leading and trailing spaces and tabs.
    static func trimmed(_ text: some StringProtocol) -> Substring {
        let string = Substring(text)
        guard let start = string.firstIndex(where: { $0 != " " && $0 != "\t" }) else { return "" }
        let end = string.lastIndex(where: { $0 != " " && $0 != "\t" })!
        return string[start...end]
    }

    /// The ASCII lower-case form of `text`.
    static func lowercased(_ text: some StringProtocol) -> String {
        String(decoding: text.utf8.map(lowercase), as: UTF8.self)
    }

    /// The value of a hexadecimal digit, or nil.
    @inline(__always)
    static func hexValue(_ byte: UInt8) -> Int? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return Int(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return Int(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return Int(byte - UInt8(ascii: "A") + 10)
        default: return nil
        }
    }

    /// The position of "\r\n\r\n" in `view` at or after `start`, or nil.
    static func endOfHead(in view: ByteView, from start: Int) -> Int? {
        var index = max(start, 0)
        while let cr = view.firstIndex(of: 0x0d, from: index) {
            if cr + 3 < view.count {
                if view[cr + 1] == 0x0a && view[cr + 2] == 0x0d && view[cr + 3] == 0x0a { return cr }
            } else {
                return nil
            }
            index = cr + 1
        }
        return nil
    }
}
