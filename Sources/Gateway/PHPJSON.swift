/// JSON as PHP's `json_encode` / `json_decode($text, true)` treat it, for `PHPValue`s: the Register's
/// lines and the JSON ext_data of internal frames (uid lists, group lists, connection-id maps).
///
/// A list (keys 0, 1, 2, ...) encodes as a JSON array, any other array as an object; objects decode
/// to arrays with PHP's keys ("5" becomes the integer key 5).
public enum PHPJSON {
    /// The JSON text of `value`.
    public static func encode(_ value: PHPValue) -> String {
        var output = ""
        write(value, into: &output)
        return output
    }

    private static func write(_ value: PHPValue, into output: inout String) {
        switch value {
        case .null: output += "null"
        case .bool(let flag): output += flag ? "true" : "false"
        case .int(let number): output += String(number)
        case .double(let number):
            guard number.isFinite else {
                output += "0"
                return
            }
            output += String(PHPSerialization.format(number).map { $0 == "E" ? "e" : $0 })
        case .string(let text): writeString(text, into: &output)
        case .array(let array):
            if isList(array) {
                output += "["
                for (index, element) in array.orderedValues.enumerated() {
                    if index > 0 { output += "," }
                    write(element, into: &output)
                }
                output += "]"
            } else {
                output += "{"
                for (index, (key, element)) in array.enumerated() {
                    if index > 0 { output += "," }
                    writeString(key.description, into: &output)
                    output += ":"
                    write(element, into: &output)
                }
                output += "}"
            }
        }
    }

    private static func isList(_ array: PHPArray) -> Bool {
        array.keys.enumerated().allSatisfy { $0.element == .int($0.offset) }
    }

    private static func writeString(_ text: String, into output: inout String) {
        output += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "/": output += "\\/"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    output += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    output.unicodeScalars.append(scalar)
                }
            }
        }
        output += "\""
    }

    /// The value of the JSON `text`; throws when it is not one JSON value.
    public static func decode(_ text: String) throws(PHPSerializationError) -> PHPValue {
        var parser = Parser(bytes: Array(text.utf8))
        parser.skipSpace()
        let value = try parser.readValue(depth: 0)
        parser.skipSpace()
        guard parser.position == parser.bytes.count else { throw parser.fail("text after the JSON value") }
        return value
    }

    private struct Parser {
        let bytes: [UInt8]
        var position = 0

        mutating func skipSpace() {
            while position < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[position]) { position += 1 }
        }

        mutating func readValue(depth: Int) throws(PHPSerializationError) -> PHPValue {
            guard depth <= PHPSerialization.maxDepth else { throw fail("nesting too deep") }
            guard position < bytes.count else { throw fail("a value expected") }
            switch bytes[position] {
            case UInt8(ascii: "{"):
                position += 1
                var array = PHPArray()
                skipSpace()
                if peek("}") { return .array(array) }
                while true {
                    skipSpace()
                    guard peek("\"", consume: false) else { throw fail("a key expected") }
                    let key = try readString()
                    skipSpace()
                    guard peek(":") else { throw fail("':' expected") }
                    skipSpace()
                    array[PHPKey(key)] = try readValue(depth: depth + 1)
                    skipSpace()
                    if peek(",") { continue }
                    if peek("}") { return .array(array) }
                    throw fail("',' or '}' expected")
                }
            case UInt8(ascii: "["):
                position += 1
                var array = PHPArray()
                skipSpace()
                if peek("]") { return .array(array) }
                while true {
                    skipSpace()
                    array.append(try readValue(depth: depth + 1))
                    skipSpace()
                    if peek(",") { continue }
                    if peek("]") { return .array(array) }
                    throw fail("',' or ']' expected")
                }
            case UInt8(ascii: "\""): return .string(try readString())
            case UInt8(ascii: "t"): return try literal("true", .bool(true))
            case UInt8(ascii: "f"): return try literal("false", .bool(false))
            case UInt8(ascii: "n"): return try literal("null", .null)
            default: return try readNumber()
            }
        }

        mutating func literal(_ word: String, _ value: PHPValue) throws(PHPSerializationError) -> PHPValue {
            let expected = Array(word.utf8)
            guard position + expected.count <= bytes.count,
                Array(bytes[position..<position + expected.count]) == expected
            else { throw fail("unknown literal") }
            position += expected.count
            return value
        }

        mutating func readNumber() throws(PHPSerializationError) -> PHPValue {
            let start = position
            var isInteger = true
            while position < bytes.count {
                let byte = bytes[position]
                if (byte >= 0x30 && byte <= 0x39) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "+") {
                    position += 1
                } else if byte == UInt8(ascii: ".") || byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") {
                    isInteger = false
                    position += 1
                } else {
                    break
                }
            }
            let text = String(decoding: bytes[start..<position], as: UTF8.self)
            if isInteger, let number = Int(text) { return .int(number) }
            guard !text.isEmpty, let number = Double(text) else { throw fail("bad number '\(text)'") }
            return .double(number)
        }

        mutating func readString() throws(PHPSerializationError) -> String {
            position += 1  // the opening quote
            var scalars = String.UnicodeScalarView()
            var plainStart = position
            func flushPlain(_ end: Int) {
                scalars.append(contentsOf: String(decoding: bytes[plainStart..<end], as: UTF8.self).unicodeScalars)
            }
            while position < bytes.count {
                let byte = bytes[position]
                if byte == UInt8(ascii: "\"") {
                    flushPlain(position)
                    position += 1
                    return String(scalars)
                }
                guard byte == UInt8(ascii: "\\") else {
                    position += 1
                    continue
                }
                flushPlain(position)
                position += 1
                guard position < bytes.count else { break }
                let escaped = bytes[position]
                position += 1
                switch escaped {
                case UInt8(ascii: "n"): scalars.append("\n")
                case UInt8(ascii: "r"): scalars.append("\r")
                case UInt8(ascii: "t"): scalars.append("\t")
                case UInt8(ascii: "b"): scalars.append("\u{08}")
                case UInt8(ascii: "f"): scalars.append("\u{0C}")
                case UInt8(ascii: "u"):
                    var code = try readHex4()
                    if (0xD800..<0xDC00).contains(code), peek("\\"), peek("u") {
                        let low = try readHex4()
                        code = 0x10000 + ((code - 0xD800) << 10) + (low &- 0xDC00)
                    }
                    scalars.append(Unicode.Scalar(code) ?? "\u{FFFD}")
                default: scalars.append(Unicode.Scalar(escaped))
                }
                plainStart = position
            }
            throw fail("unterminated string")
        }

        mutating func readHex4() throws(PHPSerializationError) -> UInt32 {
            guard position + 4 <= bytes.count,
                let code = UInt32(String(decoding: bytes[position..<position + 4], as: UTF8.self), radix: 16)
            else { throw fail("bad \\u escape") }
            position += 4
            return code
        }

        mutating func peek(_ character: Character, consume: Bool = true) -> Bool {
            guard position < bytes.count, bytes[position] == UInt8(ascii: character.unicodeScalars.first!) else {
                return false
            }
            if consume { position += 1 }
            return true
        }

        func fail(_ reason: String) -> PHPSerializationError {
            PHPSerializationError("JSON: \(reason) at byte \(position)")
        }
    }
}
