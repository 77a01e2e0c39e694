import WorkermanCore

/// Why bytes are not the JSON text of a `Value`.
public struct JSONError: Error, CustomStringConvertible {
    /// What is wrong and where.
    public let description: String
    init(_ description: String) { self.description = description }
}

/// JSON text for values that other languages read: what the Redis backends of GlobalData and
/// Channel store and publish (`json_decode` in PHP, `json.loads` in Python).
///
/// Canonical, so that equal values give equal bytes (compare-and-set compares bytes): object keys
/// sorted, no spaces, integers as decimal integers (an integer's JSON is exactly Redis's integer
/// form, so `INCRBY` works on it), doubles in Swift's shortest round-trip form and always with a
/// `.` or an exponent (`2.0`) so that they read back as doubles. Not in JSON, and so changed:
/// NaN and infinities are written as `null`, and `.bytes` as a string (invalid UTF-8 replaced by
/// U+FFFD; use `Value(jsonBytes:)` on raw bytes to keep them).
extension Value {
    /// The canonical JSON text.
    public var json: String {
        var buffer = ByteBuffer(capacity: 32)
        writeJSON(into: &buffer)
        return buffer.readableString
    }

    /// Appends the canonical JSON text.
    public func writeJSON(into buffer: inout ByteBuffer) {
        switch self {
        case .null: buffer.writeString("null")
        case .bool(let flag): buffer.writeString(flag ? "true" : "false")
        case .int(let number): buffer.writeString(String(number))
        case .double(let number):
            guard number.isFinite else { return buffer.writeString("null") }
            let text = "\(number)"
            buffer.writeString(text)
            if !text.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }) { buffer.writeString(".0") }
        case .string(let text): Self.writeJSONString(text, into: &buffer)
        case .bytes(let bytes): Self.writeJSONString(String(decoding: bytes, as: UTF8.self), into: &buffer)
        case .array(let elements):
            buffer.writeString("[")
            for (index, element) in elements.enumerated() {
                if index > 0 { buffer.writeString(",") }
                element.writeJSON(into: &buffer)
            }
            buffer.writeString("]")
        case .object(let members):
            buffer.writeString("{")
            for (index, key) in members.keys.sorted().enumerated() {
                if index > 0 { buffer.writeString(",") }
                Self.writeJSONString(key, into: &buffer)
                buffer.writeString(":")
                members[key]!.writeJSON(into: &buffer)
            }
            buffer.writeString("}")
        }
    }

    private static func writeJSONString(_ text: String, into buffer: inout ByteBuffer) {
        buffer.writeString("\"")
        let hex = Array("0123456789abcdef".utf8)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): buffer.writeString("\\\"")
            case UInt8(ascii: "\\"): buffer.writeString("\\\\")
            case 10: buffer.writeString("\\n")
            case 13: buffer.writeString("\\r")
            case 9: buffer.writeString("\\t")
            case 0..<0x20: buffer.writeBytes([92, 117, 48, 48, hex[Int(byte >> 4)], hex[Int(byte & 15)]])
            default: buffer.writeBytes(CollectionOfOne(byte))
            }
        }
        buffer.writeString("\"")
    }

    /// The value in JSON text `bytes` (integers that fit 64 bits as `.int`, other numbers as `.double`).
    public init(json bytes: some Collection<UInt8>) throws(JSONError) {
        var reader = JSONReader(bytes: Array(bytes))
        reader.skipSpace()
        self = try reader.value(depth: 0)
        reader.skipSpace()
        guard reader.offset == reader.bytes.count else { throw JSONError("text after the value at \(reader.offset)") }
    }
}

/// A small strict JSON parser (RFC 8259) over bytes.
private struct JSONReader {
    let bytes: [UInt8]
    var offset = 0

    init(bytes: [UInt8]) { self.bytes = bytes }

    mutating func skipSpace() {
        while offset < bytes.count, [32, 9, 10, 13].contains(bytes[offset]) { offset += 1 }
    }

    private func fail(_ what: String) -> JSONError { JSONError("\(what) at offset \(offset)") }

    private mutating func expect(_ word: String) throws(JSONError) {
        let wanted = Array(word.utf8)
        guard bytes.count - offset >= wanted.count, Array(bytes[offset..<offset + wanted.count]) == wanted else {
            throw fail("expected \(word)")
        }
        offset += wanted.count
    }

    mutating func value(depth: Int) throws(JSONError) -> Value {
        guard depth < 256 else { throw fail("nested too deep") }
        guard offset < bytes.count else { throw fail("unexpected end") }
        switch bytes[offset] {
        case UInt8(ascii: "n"):
            try expect("null")
            return .null
        case UInt8(ascii: "t"):
            try expect("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try expect("false")
            return .bool(false)
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "["):
            offset += 1
            var elements: [Value] = []
            skipSpace()
            if offset < bytes.count && bytes[offset] == UInt8(ascii: "]") {
                offset += 1
                return .array(elements)
            }
            while true {
                skipSpace()
                elements.append(try value(depth: depth + 1))
                skipSpace()
                guard offset < bytes.count else { throw fail("unclosed array") }
                offset += 1
                if bytes[offset - 1] == UInt8(ascii: "]") { return .array(elements) }
                guard bytes[offset - 1] == UInt8(ascii: ",") else { throw fail("expected , or ]") }
            }
        case UInt8(ascii: "{"):
            offset += 1
            var members: [String: Value] = [:]
            skipSpace()
            if offset < bytes.count && bytes[offset] == UInt8(ascii: "}") {
                offset += 1
                return .object(members)
            }
            while true {
                skipSpace()
                guard offset < bytes.count, bytes[offset] == UInt8(ascii: "\"") else { throw fail("expected a key") }
                let key = try string()
                skipSpace()
                try expect(":")
                skipSpace()
                members[key] = try value(depth: depth + 1)
                skipSpace()
                guard offset < bytes.count else { throw fail("unclosed object") }
                offset += 1
                if bytes[offset - 1] == UInt8(ascii: "}") { return .object(members) }
                guard bytes[offset - 1] == UInt8(ascii: ",") else { throw fail("expected , or }") }
            }
        default: return try number()
        }
    }

    private mutating func number() throws(JSONError) -> Value {
        let start = offset
        if offset < bytes.count && bytes[offset] == UInt8(ascii: "-") { offset += 1 }
        let digitsStart = offset
        while offset < bytes.count, (48...57).contains(bytes[offset]) { offset += 1 }
        guard offset > digitsStart else { throw fail("not a value") }
        guard bytes[digitsStart] != 48 || offset - digitsStart == 1 else { throw fail("a leading zero") }
        var isInteger = true
        if offset < bytes.count && bytes[offset] == UInt8(ascii: ".") {
            isInteger = false
            offset += 1
            let fraction = offset
            while offset < bytes.count, (48...57).contains(bytes[offset]) { offset += 1 }
            guard offset > fraction else { throw fail("no digits after .") }
        }
        if offset < bytes.count && (bytes[offset] == UInt8(ascii: "e") || bytes[offset] == UInt8(ascii: "E")) {
            isInteger = false
            offset += 1
            if offset < bytes.count && (bytes[offset] == UInt8(ascii: "+") || bytes[offset] == UInt8(ascii: "-")) {
                offset += 1
            }
            let exponent = offset
            while offset < bytes.count, (48...57).contains(bytes[offset]) { offset += 1 }
            guard offset > exponent else { throw fail("no digits in the exponent") }
        }
        let text = String(decoding: bytes[start..<offset], as: UTF8.self)
        if isInteger, let number = Int64(text) { return .int(number) }
        guard let number = Double(text) else { throw fail("a bad number") }
        return .double(number)
    }

    private mutating func string() throws(JSONError) -> String {
        offset += 1
        var result: [UInt8] = []
        while offset < bytes.count {
            let byte = bytes[offset]
            offset += 1
            switch byte {
            case UInt8(ascii: "\""):
                guard let text = String(validating: result, as: UTF8.self) else { throw fail("invalid UTF-8") }
                return text
            case UInt8(ascii: "\\"):
                guard offset < bytes.count else { throw fail("unfinished escape") }
                let escape = bytes[offset]
                offset += 1
                switch escape {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): result.append(escape)
                case UInt8(ascii: "b"): result.append(8)
                case UInt8(ascii: "f"): result.append(12)
                case UInt8(ascii: "n"): result.append(10)
                case UInt8(ascii: "r"): result.append(13)
                case UInt8(ascii: "t"): result.append(9)
                case UInt8(ascii: "u"):
                    var scalar = try hex4()
                    if (0xD800..<0xDC00).contains(scalar) {
                        try expect("\\u")
                        let low = try hex4()
                        guard (0xDC00..<0xE000).contains(low) else { throw fail("a lone surrogate") }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    }
                    guard let character = Unicode.Scalar(scalar) else { throw fail("a lone surrogate") }
                    result += Array(String(Character(character)).utf8)
                default: throw fail("a bad escape")
                }
            case 0..<0x20: throw fail("a control character in a string")
            default: result.append(byte)
            }
        }
        throw fail("unclosed string")
    }

    private mutating func hex4() throws(JSONError) -> UInt32 {
        guard bytes.count - offset >= 4,
            let value = UInt32(String(decoding: bytes[offset..<offset + 4], as: UTF8.self), radix: 16)
        else { throw fail("a bad \\u escape") }
        offset += 4
        return value
    }
}
