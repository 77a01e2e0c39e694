import WorkermanCore

/// Reads MessagePack values from received bytes (see `MessagePackWriter` for why MessagePack).
///
/// Every length is checked against the bytes present before anything is allocated, and nesting is
/// limited to `maxDepth`, so hostile input fails with an error instead of exhausting memory or stack.
/// Extension types and timestamps are refused.
package struct MessagePackReader {
    package typealias Failure = MessagePackError

    /// The deepest nesting of arrays and maps accepted.
    package static let maxDepth = 64

    private let bytes: ByteView
    /// Where the next value starts.
    package private(set) var offset = 0

    /// A reader at the start of `bytes`, which it views (use the reader while they are alive).
    package init(_ bytes: ByteView) { self.bytes = bytes }

    /// True when every byte has been read.
    package var isAtEnd: Bool { offset >= bytes.count }

    /// Reads one value.
    package mutating func readValue() throws(Failure) -> Value {
        try readValue(depth: 0)
    }

    /// Steps over one value without building it; returns the range of its bytes (so a server can
    /// forward a payload as it came).
    @discardableResult
    package mutating func skipValue() throws(Failure) -> Range<Int> {
        let start = offset
        try skip(depth: 0)
        return start..<offset
    }

    /// Reads an array header; returns the number of elements that follow.
    package mutating func readArrayHeader() throws(Failure) -> Int {
        let code = try readByte()
        switch code {
        case 0x90...0x9f: return Int(code & 0x0f)
        case 0xdc: return try readLength(UInt16.self, elementSize: 1)
        case 0xdd: return try readLength(UInt32.self, elementSize: 1)
        default: throw Failure("expected an array, found type byte \(code)")
        }
    }

    /// Reads a string.
    package mutating func readString() throws(Failure) -> String {
        guard case .string(let text) = try readValue() else { throw Failure("expected a string") }
        return text
    }

    /// Reads an integer.
    package mutating func readInteger() throws(Failure) -> Int64 {
        guard case .int(let number) = try readValue() else { throw Failure("expected an integer") }
        return number
    }

    /// The bytes in `range` (as `skipValue` returned), copied.
    package func bytes(in range: Range<Int>) -> [UInt8] { bytes.slice(range).bytes }

    // MARK: values

    private mutating func readValue(depth: Int) throws(Failure) -> Value {
        guard depth <= Self.maxDepth else { throw Failure("nested deeper than \(Self.maxDepth)") }
        let code = try readByte()
        switch code {
        case 0x00...0x7f: return .int(Int64(code))
        case 0xe0...0xff: return .int(Int64(Int8(bitPattern: code)))
        case 0xc0: return .null
        case 0xc2: return .bool(false)
        case 0xc3: return .bool(true)
        case 0xa0...0xbf: return .string(try readText(count: Int(code & 0x1f)))
        case 0xd9: return .string(try readText(count: try readLength(UInt8.self, elementSize: 1)))
        case 0xda: return .string(try readText(count: try readLength(UInt16.self, elementSize: 1)))
        case 0xdb: return .string(try readText(count: try readLength(UInt32.self, elementSize: 1)))
        case 0xc4: return .bytes(try readRaw(count: try readLength(UInt8.self, elementSize: 1)))
        case 0xc5: return .bytes(try readRaw(count: try readLength(UInt16.self, elementSize: 1)))
        case 0xc6: return .bytes(try readRaw(count: try readLength(UInt32.self, elementSize: 1)))
        case 0xca: return .double(Double(Float(bitPattern: try readFixed(UInt32.self))))
        case 0xcb: return .double(Double(bitPattern: try readFixed(UInt64.self)))
        case 0xcc: return .int(Int64(try readFixed(UInt8.self)))
        case 0xcd: return .int(Int64(try readFixed(UInt16.self)))
        case 0xce: return .int(Int64(try readFixed(UInt32.self)))
        case 0xcf:
            let number = try readFixed(UInt64.self)
            guard let exact = Int64(exactly: number) else { throw Failure("unsigned integer \(number) over Int64") }
            return .int(exact)
        case 0xd0: return .int(Int64(Int8(bitPattern: try readFixed(UInt8.self))))
        case 0xd1: return .int(Int64(Int16(bitPattern: try readFixed(UInt16.self))))
        case 0xd2: return .int(Int64(Int32(bitPattern: try readFixed(UInt32.self))))
        case 0xd3: return .int(Int64(bitPattern: try readFixed(UInt64.self)))
        case 0x90...0x9f, 0xdc, 0xdd:
            offset -= 1
            let count = try readArrayHeader()
            var elements: [Value] = []
            elements.reserveCapacity(count)
            for _ in 0..<count { elements.append(try readValue(depth: depth + 1)) }
            return .array(elements)
        case 0x80...0x8f, 0xde, 0xdf:
            let count = try mapCount(code)
            var members: [String: Value] = [:]
            members.reserveCapacity(count)
            for _ in 0..<count {
                guard case .string(let key) = try readValue(depth: depth + 1) else {
                    throw Failure("map keys must be strings")
                }
                members[key] = try readValue(depth: depth + 1)
            }
            return .object(members)
        default: throw Failure("unsupported type byte \(code)")
        }
    }

    private mutating func skip(depth: Int) throws(Failure) {
        guard depth <= Self.maxDepth else { throw Failure("nested deeper than \(Self.maxDepth)") }
        let code = bytes.count > offset ? bytes[offset] : 0xc1
        switch code {
        case 0x90...0x9f, 0xdc, 0xdd:
            let count = try readArrayHeader()
            for _ in 0..<count { try skip(depth: depth + 1) }
        case 0x80...0x8f, 0xde, 0xdf:
            offset += 1
            let count = try mapCount(code)
            for _ in 0..<count * 2 { try skip(depth: depth + 1) }
        default:
            _ = try readValue(depth: depth)  // scalars: cheap to read, and validated on the way
        }
    }

    private mutating func mapCount(_ code: UInt8) throws(Failure) -> Int {
        switch code {
        case 0xde: return try readLength(UInt16.self, elementSize: 2)
        case 0xdf: return try readLength(UInt32.self, elementSize: 2)
        default: return Int(code & 0x0f)
        }
    }

    // MARK: bytes

    private mutating func readByte() throws(Failure) -> UInt8 {
        guard offset < bytes.count else { throw Failure("truncated at byte \(offset)") }
        offset += 1
        return bytes[offset - 1]
    }

    private mutating func readFixed<T: FixedWidthInteger>(_ type: T.Type) throws(Failure) -> T {
        guard let number = bytes.readInteger(at: offset, as: T.self) else {
            throw Failure("truncated at byte \(offset)")
        }
        offset += MemoryLayout<T>.size
        return number
    }

    /// A length field; refused when the bytes left cannot hold that many elements of at least
    /// `elementSize` bytes each.
    private mutating func readLength<T: FixedWidthInteger>(_ type: T.Type, elementSize: Int) throws(Failure) -> Int {
        let count = Int(try readFixed(T.self))
        guard count * elementSize <= bytes.count - offset else {
            throw Failure("length \(count) runs past the end (\(bytes.count - offset) bytes left)")
        }
        return count
    }

    private mutating func readRaw(count: Int) throws(Failure) -> [UInt8] {
        guard count <= bytes.count - offset else { throw Failure("truncated at byte \(offset)") }
        defer { offset += count }
        return bytes.slice(offset..<offset + count).bytes
    }

    private mutating func readText(count: Int) throws(Failure) -> String {
        guard count <= bytes.count - offset else { throw Failure("truncated at byte \(offset)") }
        defer { offset += count }
        guard let text = bytes.slice(offset..<offset + count).validatedString else {
            throw Failure("a string that is not UTF-8 at byte \(offset)")
        }
        return text
    }
}

/// Why bytes are not a valid MessagePack value.
public struct MessagePackError: Error, CustomStringConvertible {
    /// The reason, for logs.
    public let description: String
    package init(_ description: String) { self.description = description }
}

extension Value {
    /// The MessagePack encoding of the value.
    public var messagePack: [UInt8] {
        var buffer = ByteBuffer(capacity: 64)
        MessagePackWriter.write(self, into: &buffer)
        return buffer.readableBytesArray
    }

    /// The value encoded in `bytes`, which must hold exactly one.
    public init(messagePack bytes: [UInt8]) throws(MessagePackError) {
        let decoded = bytes.withUnsafeBytes { raw in
            Result { () throws(MessagePackError) -> Value in
                var reader = MessagePackReader(ByteView(raw))
                let value = try reader.readValue()
                guard reader.isAtEnd else { throw MessagePackError("bytes after the value") }
                return value
            }
        }
        self = try decoded.get()
    }
}
