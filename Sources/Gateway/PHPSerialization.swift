/// Why bytes are not a value in PHP's `serialize` format.
public struct PHPSerializationError: Error, CustomStringConvertible, Equatable {
    /// What was wrong and where.
    public let description: String
    init(_ description: String) { self.description = description }
}

/// PHP's `serialize` and `unserialize` for `PHPValue`s (no objects, no references), the format
/// GatewayWorker keeps sessions in and uses for the bodies of internal frames.
///
/// ```swift
/// PHPSerialization.serialize(["uid": "alice", "n": 3])   // a:2:{s:3:"uid";s:5:"alice";s:1:"n";i:3;}
/// ```
public enum PHPSerialization {
    /// Nesting deeper than this is refused, so that hostile input cannot exhaust the stack.
    public static let maxDepth = 64

    /// The serialized form of `value`.
    public static func serialize(_ value: PHPValue) -> [UInt8] {
        var output: [UInt8] = []
        serialize(value, into: &output)
        return output
    }

    /// The serialized form of `array` (a session).
    public static func serialize(_ array: PHPArray) -> [UInt8] { serialize(.array(array)) }

    /// Appends the serialized form of `value` to `output`.
    public static func serialize(_ value: PHPValue, into output: inout [UInt8]) {
        switch value {
        case .null: output.append(contentsOf: "N;".utf8)
        case .bool(let flag): output.append(contentsOf: (flag ? "b:1;" : "b:0;").utf8)
        case .int(let number): output.append(contentsOf: "i:\(number);".utf8)
        case .double(let number): output.append(contentsOf: "d:\(format(number));".utf8)
        case .string(let text): appendString(text, into: &output)
        case .array(let array):
            output.append(contentsOf: "a:\(array.count):{".utf8)
            for (key, element) in array {
                switch key {
                case .int(let number): output.append(contentsOf: "i:\(number);".utf8)
                case .string(let text): appendString(text, into: &output)
                }
                serialize(element, into: &output)
            }
            output.append(UInt8(ascii: "}"))
        }
    }

    private static func appendString(_ text: String, into output: inout [UInt8]) {
        output.append(contentsOf: "s:\(text.utf8.count):\"".utf8)
        output.append(contentsOf: text.utf8)
        output.append(contentsOf: "\";".utf8)
    }

    /// A float as PHP writes it with `serialize_precision = -1`: the shortest digits that read back
    /// the same, `1.0E+25` style past 17 integer digits or below 0.0001, `INF`, `-INF`, `NAN`.
    public static func format(_ number: Double) -> String {
        if number.isNaN { return "NAN" }
        if number.isInfinite { return number < 0 ? "-INF" : "INF" }
        if number == 0 { return number.sign == .minus ? "-0" : "0" }
        let (digits, pointAt) = shortestDigits(abs(number))
        let sign = number < 0 ? "-" : ""
        if pointAt > 17 || pointAt < -3 {
            let first = digits.prefix(1)
            let rest = digits.dropFirst()
            let exponent = pointAt - 1
            return "\(sign)\(first).\(rest.isEmpty ? "0" : String(rest))E\(exponent < 0 ? "-" : "+")\(abs(exponent))"
        }
        if pointAt <= 0 { return "\(sign)0.\(String(repeating: "0", count: -pointAt))\(digits)" }
        if digits.count <= pointAt { return sign + digits + String(repeating: "0", count: pointAt - digits.count) }
        let index = digits.index(digits.startIndex, offsetBy: pointAt)
        return "\(sign)\(digits[..<index]).\(digits[index...])"
    }

    /// The shortest round-tripping decimal digits of a positive finite `number` and where the
    /// decimal point goes (0.25 is ("25", 0); 120 is ("12", 3)), from Swift's own shortest form.
    private static func shortestDigits(_ number: Double) -> (String, Int) {
        let text = number.description  // "1.25", "1e-05", "1.2e+20", "120.0"
        var mantissa = Substring(text)
        var exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            mantissa = text[..<e]
            exponent = Int(text[text.index(after: e)...]) ?? 0
        }
        let dot = mantissa.firstIndex(of: ".")
        let integerPart = dot.map { mantissa[..<$0] } ?? mantissa
        let fractionPart = dot.map { mantissa[mantissa.index(after: $0)...] } ?? ""
        var digits = String(integerPart) + fractionPart
        var pointAt = integerPart.count + exponent
        while digits.first == "0" && digits.count > 1 {
            digits.removeFirst()
            pointAt -= 1
        }
        while digits.last == "0" && digits.count > 1 { digits.removeLast() }
        return (digits, pointAt)
    }

    /// The value serialized in `bytes`; throws on anything else (objects, references, trailing bytes).
    public static func unserialize(_ bytes: some Collection<UInt8>) throws(PHPSerializationError) -> PHPValue {
        let array = Array(bytes)
        var reader = Reader(bytes: array)
        let value = try reader.readValue(depth: 0)
        guard reader.position == array.count else {
            throw PHPSerializationError("\(array.count - reader.position) bytes after the value at \(reader.position)")
        }
        return value
    }

    /// The session serialized in `bytes`: an array, or empty for no bytes or `N;`.
    public static func unserializeSession(_ bytes: some Collection<UInt8>) throws(PHPSerializationError) -> PHPArray {
        if bytes.isEmpty { return PHPArray() }
        switch try unserialize(bytes) {
        case .array(let array): return array
        case .null: return PHPArray()
        default: throw PHPSerializationError("a session must be an array")
        }
    }

    private struct Reader {
        let bytes: [UInt8]
        var position = 0

        mutating func readValue(depth: Int) throws(PHPSerializationError) -> PHPValue {
            guard depth <= PHPSerialization.maxDepth else { throw fail("nesting deeper than \(maxDepth)") }
            guard position < bytes.count else { throw fail("a value expected") }
            let kind = bytes[position]
            position += 1
            switch kind {
            case UInt8(ascii: "N"):
                try expect(";")
                return .null
            case UInt8(ascii: "b"):
                try expect(":")
                let flag = try readUntil(";")
                guard flag == "0" || flag == "1" else { throw fail("bad boolean \(flag)") }
                return .bool(flag == "1")
            case UInt8(ascii: "i"):
                try expect(":")
                return .int(try readInteger(until: ";"))
            case UInt8(ascii: "d"):
                try expect(":")
                let text = try readUntil(";")
                switch text {
                case "INF": return .double(.infinity)
                case "-INF": return .double(-.infinity)
                case "NAN": return .double(.nan)
                default:
                    guard let number = Double(text) else { throw fail("bad float \(text)") }
                    return .double(number)
                }
            case UInt8(ascii: "s"):
                try expect(":")
                return .string(try readStringBody())
            case UInt8(ascii: "a"):
                try expect(":")
                let count = try readInteger(until: ":")
                guard count >= 0, count <= bytes.count - position else { throw fail("bad array size \(count)") }
                try expect("{")
                var array = PHPArray()
                for _ in 0..<count {
                    let key: PHPKey
                    guard position < bytes.count else { throw fail("a key expected") }
                    switch bytes[position] {
                    case UInt8(ascii: "i"):
                        position += 1
                        try expect(":")
                        key = .int(try readInteger(until: ";"))
                    case UInt8(ascii: "s"):
                        position += 1
                        try expect(":")
                        key = PHPKey(try readStringBody())
                    default: throw fail("an integer or string key expected")
                    }
                    array[key] = try readValue(depth: depth + 1)
                }
                try expect("}")
                return .array(array)
            default:
                throw fail("unsupported type '\(Character(Unicode.Scalar(kind)))' (objects and references are refused)")
            }
        }

        /// `5:"hello";` after `s:`.
        mutating func readStringBody() throws(PHPSerializationError) -> String {
            let length = try readInteger(until: ":")
            guard length >= 0, length <= bytes.count - position - 3 else { throw fail("bad string length \(length)") }
            try expect("\"")
            let text = String(decoding: bytes[position..<position + length], as: UTF8.self)
            position += length
            try expect("\"")
            try expect(";")
            return text
        }

        mutating func readInteger(until terminator: Character) throws(PHPSerializationError) -> Int {
            let text = try readUntil(terminator)
            guard let number = Int(text) else { throw fail("bad integer \(text)") }
            return number
        }

        mutating func readUntil(_ terminator: Character) throws(PHPSerializationError) -> String {
            let stop = UInt8(ascii: terminator.unicodeScalars.first!)
            let start = position
            while position < bytes.count && bytes[position] != stop {
                position += 1
                guard position - start <= 400 else { throw fail("a number too long") }
            }
            guard position < bytes.count else { throw fail("'\(terminator)' expected") }
            defer { position += 1 }
            return String(decoding: bytes[start..<position], as: UTF8.self)
        }

        mutating func expect(_ character: Character) throws(PHPSerializationError) {
            guard position < bytes.count, bytes[position] == UInt8(ascii: character.unicodeScalars.first!) else {
                throw fail("'\(character)' expected")
            }
            position += 1
        }

        func fail(_ reason: String) -> PHPSerializationError {
            PHPSerializationError("\(reason) at byte \(position)")
        }
    }
}
