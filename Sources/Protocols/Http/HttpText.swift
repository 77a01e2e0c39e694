import WorkermanCore

/// Byte-level helpers for HTTP's ASCII grammar (RFC 9110 §5.6): tokens, whitespace, case.
enum HttpText {
    /// `tchar` of RFC 9110 (the bytes allowed in a token: method, header name) as two bit sets:
    /// bit `b` of `tokenLow` for bytes 0-63, bit `b - 64` of `tokenHigh` for bytes 64-127. They hold
    /// the digits and "!#$%&'*+-.^_`|~" (low), the letters, "^", "_", "`", "|" and "~" (high).
    private static let tokenLow: UInt64 = 0x03ff_6cfa_0000_0000
    private static let tokenHigh: UInt64 = 0x57ff_ffff_c7ff_fffe

    /// True for a `tchar`.
    @inline(__always)
    static func isToken(_ byte: UInt8) -> Bool {
        isMember(byte, low: tokenLow, high: tokenHigh)
    }

    /// True when bit `byte` is set in the 128-bit set `low` (bytes 0-63), `high` (bytes 64-127):
    /// one select and one shift, no branch per byte.
    @inline(__always)
    static func isMember(_ byte: UInt8, low: UInt64, high: UInt64) -> Bool {
        let word = byte < 64 ? low : high
        return byte < 128 && (word &>> UInt64(byte & 63)) & 1 != 0
    }

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

    /// True when `bytes` equal `lowercase` (an ASCII lower-case literal) in any ASCII case.
    @inline(__always)
    static func equals(_ bytes: UnsafeRawBufferPointer, lowercase: StaticString) -> Bool {
        let count = lowercase.utf8CodeUnitCount
        guard bytes.count == count else { return false }
        let expected = lowercase.utf8Start  // a literal of ASCII letters and signs: stored as UTF-8
        for index in 0..<count where HttpText.lowercase(bytes[index]) != expected[index] { return false }
        return true
    }

    /// True when `a` and `b` are equal in any ASCII case.
    static func equalsIgnoringCase(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
        guard a.count == b.count else { return false }
        for index in 0..<a.count where lowercase(a[index]) != lowercase(b[index]) { return false }
        return true
    }

    /// `bytes` without leading and trailing spaces and tabs.
    static func trimmed(_ bytes: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        var start = 0
        var end = bytes.count
        while start < end && (bytes[start] == 0x20 || bytes[start] == 0x09) { start += 1 }
        while end > start && (bytes[end - 1] == 0x20 || bytes[end - 1] == 0x09) { end -= 1 }
        return UnsafeRawBufferPointer(rebasing: bytes[start..<end])
    }

    /// True when every byte is ASCII.
    static func isASCII(_ bytes: UnsafeRawBufferPointer) -> Bool {
        for byte in bytes where byte >= 0x80 { return false }
        return true
    }

    /// True when the comma-separated list `bytes` ("keep-alive, Upgrade") has an item, spaces and tabs
    /// trimmed, that `matches`. For ASCII only: in other text a comma followed by a combining mark is
    /// one Character, which `String.split` would not split at (see `HttpHeaders.hasToken`).
    static func listContains(_ bytes: UnsafeRawBufferPointer, where matches: (UnsafeRawBufferPointer) -> Bool)
        -> Bool
    {
        var start = 0
        while start < bytes.count {
            var end = start
            while end < bytes.count && bytes[end] != UInt8(ascii: ",") { end += 1 }
            let item = trimmed(UnsafeRawBufferPointer(rebasing: bytes[start..<end]))
            if !item.isEmpty && matches(item) { return true }
            start = end + 1
        }
        return false
    }

    /// Calls `body` with the UTF-8 of `text`, without copying it when it is stored contiguously.
    @inline(__always)
    static func withBytes<Text: StringProtocol, Result>(
        of text: Text, _ body: (UnsafeRawBufferPointer) -> Result
    ) -> Result {
        if let result = text.utf8.withContiguousStorageIfAvailable({ body(UnsafeRawBufferPointer($0)) }) {
            return result
        }
        var copy = String(text)
        return copy.withUTF8 { body(UnsafeRawBufferPointer($0)) }
    }

    /// The number of bytes of the empty lines ("\r\n") at the start of `view`.
    static func leadingEmptyLines(in view: ByteView) -> Int {
        var position = 0
        while position + 1 < view.count && view[position] == 0x0d && view[position + 1] == 0x0a { position += 2 }
        return position
    }

    /// True when an LF at or after `start` does not follow a CR.
    static func hasBareLineFeed(in view: ByteView, from start: Int) -> Bool {
        var index = max(start, 0)
        while let lf = view.firstIndex(of: 0x0a, from: index) {
            if lf == 0 || view[lf - 1] != 0x0d { return true }
            index = lf + 1
        }
        return false
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
