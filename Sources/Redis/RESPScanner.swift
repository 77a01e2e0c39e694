import WorkermanCore

/// Measures the first RESP2/RESP3 reply in a byte stream without building it: the length of a
/// complete reply, `.needMore`, or why the bytes can never be one.
///
/// Iterative (a malicious `*1 *1 *1 ...` cannot overflow the stack), nesting at most `maxDepth`
/// levels deep, and a reply (or the part of it received so far) over `limit` bytes is refused
/// before it is buffered further. A bulk string at the top level reports its full length as soon
/// as its header arrives, so that the connection can wait for its body in one buffer.
enum RESPScanner {
    /// The deepest nesting of aggregates accepted (Redis's own replies nest at most 4-5 deep).
    static let maxDepth = 64

    static func measure(_ bytes: ByteView, limit: Int) -> InputResult {
        var offset = 0
        var remaining = 1  // elements still to read at the current level
        var outerLevels: [Int] = []  // what remains of each enclosing aggregate
        while true {
            guard offset < bytes.count else { return waiting(bytes, limit) }
            let line: RESPLine
            switch RESPLine.read(bytes, at: offset) {
            case .line(let read): line = read
            case .needMore: return waiting(bytes, limit)
            case .invalid(let reason): return .invalid(reason)
            }
            var end = line.next
            var children = 0
            var fillsSlot = true
            switch line.type {
            case .simpleString, .simpleError, .bigNumber:
                break
            case .null:
                guard line.header.isEmpty else { return .invalid("a null reply with content") }
            case .integer:
                guard RESPLine.integer(line.header) != nil else {
                    return .invalid("bad integer '\(line.header.string)'")
                }
            case .double:
                guard RESPLine.double(line.header) != nil else { return .invalid("bad double '\(line.header.string)'") }
            case .boolean:
                guard line.header.count == 1, line.header[0] == UInt8(ascii: "t") || line.header[0] == UInt8(ascii: "f")
                else { return .invalid("bad boolean '\(line.header.string)'") }
            case .bulkString, .bulkError, .verbatimString:
                guard let length = RESPLine.integer(line.header), length >= (line.type == .bulkString ? -1 : 0) else {
                    return .invalid("bad length '\(line.header.string)'")
                }
                guard length >= 0 else { break }
                guard length <= limit - end - 2 else { return .invalid(overLimit(Int(length) + end + 2, limit)) }
                end += Int(length) + 2
                if outerLevels.isEmpty && bytes.count < end { return .packet(length: end) }
                guard bytes.count >= end else { return waiting(bytes, limit) }
                guard bytes[end - 2] == 13, bytes[end - 1] == 10 else { return .invalid("a bulk string without CRLF") }
            case .array, .set, .push, .map, .attribute:
                guard let count = RESPLine.integer(line.header), count >= (line.type == .array ? -1 : 0),
                    count <= Int64(limit)
                else { return .invalid("bad element count '\(line.header.string)'") }
                children = Int(max(count, 0)) * (line.type == .map || line.type == .attribute ? 2 : 1)
                fillsSlot = line.type != .attribute  // attributes precede the reply they describe
            }
            offset = end
            guard offset <= limit else { return .invalid(overLimit(offset, limit)) }
            if fillsSlot { remaining -= 1 }
            if children > 0 {
                outerLevels.append(remaining)
                guard outerLevels.count <= maxDepth else { return .invalid("replies nested over \(maxDepth) deep") }
                remaining = children
            }
            while remaining == 0 {
                guard let outer = outerLevels.popLast() else { return .packet(length: offset) }
                remaining = outer
            }
        }
    }

    private static func waiting(_ bytes: ByteView, _ limit: Int) -> InputResult {
        bytes.count > limit ? .invalid(overLimit(bytes.count, limit)) : .needMore
    }

    static func overLimit(_ size: Int, _ limit: Int) -> String {
        "a reply of \(size) bytes or more is over the limit of \(limit) bytes (RedisOptions.maxReplySize)"
    }
}

/// The type bytes of RESP2 and RESP3.
enum RESPType: UInt8 {
    case simpleString = 43  // +
    case simpleError = 45  // -
    case integer = 58  // :
    case bulkString = 36  // $
    case array = 42  // *
    case null = 95  // _
    case double = 44  // ,
    case boolean = 35  // #
    case bigNumber = 40  // (
    case bulkError = 33  // !
    case verbatimString = 61  // =
    case map = 37  // %
    case set = 126  // ~
    case push = 62  // >
    case attribute = 124  // |
}

/// The first line of a RESP element: its type, the text up to CRLF, and where the next part starts.
struct RESPLine {
    let type: RESPType
    let header: ByteView
    let next: Int

    enum Outcome {
        case line(RESPLine)
        case needMore
        case invalid(String)
    }

    static func read(_ bytes: ByteView, at offset: Int) -> Outcome {
        guard let type = RESPType(rawValue: bytes[offset]) else {
            return .invalid("unknown reply type byte \(bytes[offset]) at offset \(offset)")
        }
        guard let newline = bytes.firstIndex(of: 10, from: offset + 1) else { return .needMore }
        guard newline > offset + 1, bytes[newline - 1] == 13 else { return .invalid("a line ending in LF without CR") }
        return .line(RESPLine(type: type, header: bytes.slice(offset + 1..<newline - 1), next: newline + 1))
    }

    /// A strict decimal Int64 (optional '-', digits only, no overflow).
    static func integer(_ text: ByteView) -> Int64? {
        var index = 0
        let negative = text.count > 1 && text[0] == UInt8(ascii: "-")
        if negative { index = 1 }
        guard index < text.count, text.count - index <= 19 else { return nil }
        var value: Int64 = 0
        while index < text.count {
            let digit = Int64(text[index]) - 48
            guard digit >= 0 && digit <= 9 else { return nil }
            let (times, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times.subtractingReportingOverflow(digit)  // negative accumulates Int64.min
            guard !overflow1 && !overflow2 else { return nil }
            value = sum
            index += 1
        }
        if negative { return value }
        return value == Int64.min ? nil : -value
    }

    /// A RESP3 double: a decimal number, `inf`, `-inf` or `nan`.
    static func double(_ text: ByteView) -> Double? {
        switch text.string {
        case "inf": return .infinity
        case "-inf": return -.infinity
        case "nan": return .nan
        case let other: return Double(other)
        }
    }
}
