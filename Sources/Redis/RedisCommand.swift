import WorkermanCore

/// Something that can be a command argument: written as one RESP bulk string, binary-safe.
public protocol RedisArgument {
    /// Appends this argument as a bulk string (`$<length>\r\n<bytes>\r\n`).
    func writeRedisArgument(into buffer: inout ByteBuffer)
}

extension String: RedisArgument {
    /// The UTF-8 bytes.
    public func writeRedisArgument(into buffer: inout ByteBuffer) {
        let written: Void? = utf8.withContiguousStorageIfAvailable {
            RedisCommand.writeBulk(UnsafeRawBufferPointer($0), into: &buffer)
        }
        if written == nil {
            var copy = self
            copy.withUTF8 { RedisCommand.writeBulk(UnsafeRawBufferPointer($0), into: &buffer) }
        }
    }
}

extension Substring: RedisArgument {
    /// The UTF-8 bytes.
    public func writeRedisArgument(into buffer: inout ByteBuffer) { String(self).writeRedisArgument(into: &buffer) }
}

extension Array: RedisArgument where Element == UInt8 {
    /// The bytes as they are.
    public func writeRedisArgument(into buffer: inout ByteBuffer) {
        withUnsafeBytes { RedisCommand.writeBulk($0, into: &buffer) }
    }
}

extension Int: RedisArgument {
    /// The decimal text.
    public func writeRedisArgument(into buffer: inout ByteBuffer) { RedisCommand.writeDecimalBulk(self, into: &buffer) }
}

extension Int64: RedisArgument {
    /// The decimal text.
    public func writeRedisArgument(into buffer: inout ByteBuffer) {
        RedisCommand.writeDecimalBulk(Int(self), into: &buffer)
    }
}

extension Double: RedisArgument {
    /// The shortest decimal text that reads back as the same double (`inf`, `-inf` for infinities).
    public func writeRedisArgument(into buffer: inout ByteBuffer) {
        let text = isInfinite ? (self < 0 ? "-inf" : "inf") : "\(self)"
        text.writeRedisArgument(into: &buffer)
    }
}

/// One command in its wire form: `RedisCommand("SET", "key", value)`.
///
/// The first argument is the command's name; every argument goes out as a bulk string, so keys and
/// values may hold any bytes.
public struct RedisCommand {
    /// The command's name as given (for error messages).
    public let name: String
    /// The encoded command.
    public private(set) var encoded: ByteBuffer
    private let arguments: [any RedisArgument]
    private var explicitRoutingKey: [UInt8]??

    /// The key that routes the command to a node of a cluster, or nil for none (any node): found
    /// among the arguments for the common commands; set it for others.
    public var routingKey: [UInt8]? {
        get {
            if let explicitRoutingKey { return explicitRoutingKey }
            return Self.keyPosition(name, arguments).map { Self.bytes(of: arguments[$0]) }
        }
        set { explicitRoutingKey = .some(newValue) }
    }

    /// `name` followed by `arguments`.
    public init(_ name: String, _ arguments: any RedisArgument...) { self.init(name, arguments: arguments) }

    /// `name` followed by `arguments`.
    public init(_ name: String, arguments: [any RedisArgument]) {
        self.name = name
        encoded = ByteBuffer(capacity: 16 + name.utf8.count + arguments.count * 16)
        Self.writeLine(42, arguments.count + 1, into: &encoded)  // *<count>\r\n
        name.writeRedisArgument(into: &encoded)
        for argument in arguments { argument.writeRedisArgument(into: &encoded) }
        self.arguments = arguments
    }

    /// Where the first key is among the arguments of `name`, when the command has one.
    private static func keyPosition(_ name: String, _ arguments: [any RedisArgument]) -> Int? {
        switch name.uppercased() {
        case "PING", "ECHO", "INFO", "MULTI", "EXEC", "DISCARD", "ASKING", "SCRIPT", "CLUSTER", "CLIENT", "HELLO",
            "AUTH", "SELECT", "PUBLISH", "SUBSCRIBE", "PSUBSCRIBE", "DBSIZE", "FLUSHALL", "FLUSHDB", "DEBUG",
            "CONFIG", "WAIT", "TIME", "KEYS", "SCAN", "RANDOMKEY", "READONLY", "COMMAND":
            return nil
        case "EVAL", "EVALSHA", "EVAL_RO", "EVALSHA_RO", "FCALL", "FCALL_RO":
            return arguments.count > 2 && bytes(of: arguments[1]) != Array("0".utf8) ? 2 : nil
        case "XGROUP", "XINFO", "OBJECT", "MEMORY":
            return arguments.count > 1 ? 1 : nil
        case "XREAD", "XREADGROUP":
            guard let streams = arguments.firstIndex(where: { bytes(of: $0) == Array("STREAMS".utf8) }),
                streams + 1 < arguments.count
            else { return nil }
            return streams + 1
        default:
            return arguments.isEmpty ? nil : 0
        }
    }

    /// The bytes of one argument.
    static func bytes(of argument: any RedisArgument) -> [UInt8] {
        var buffer = ByteBuffer(capacity: 32)
        argument.writeRedisArgument(into: &buffer)
        let all = buffer.readableBytesArray
        guard let newline = all.firstIndex(of: 10), all.count >= newline + 3 else { return [] }
        return Array(all[(newline + 1)..<(all.count - 2)])
    }

    /// Appends `bytes` as one bulk string.
    static func writeBulk(_ bytes: UnsafeRawBufferPointer, into buffer: inout ByteBuffer) {
        writeLine(36, bytes.count, into: &buffer)  // $<length>\r\n
        buffer.writeBytes(bytes)
        writeCRLF(into: &buffer)
    }

    /// Appends CRLF.
    static func writeCRLF(into buffer: inout ByteBuffer) {
        let crlf: (UInt8, UInt8) = (13, 10)
        withUnsafeBytes(of: crlf) { buffer.writeBytes($0) }
    }

    /// Appends `marker`, the decimal `value` and CRLF (a RESP header line) in one write, without a
    /// String (ByteBuffer's generic integer writes are not specialized across modules).
    static func writeLine(_ marker: UInt8, _ value: Int, into buffer: inout ByteBuffer) {
        var scratch: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        withUnsafeMutableBytes(of: &scratch) { raw in
            raw[raw.count - 2] = 13
            raw[raw.count - 1] = 10
            let start = writeDecimal(value, endingAt: raw.count - 2, in: raw) - 1
            raw[start] = marker
            buffer.writeBytes(UnsafeRawBufferPointer(rebasing: raw[start...]))
        }
    }

    /// Appends the decimal text of `value` as one bulk string, without a String.
    static func writeDecimalBulk(_ value: Int, into buffer: inout ByteBuffer) {
        var scratch: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        withUnsafeMutableBytes(of: &scratch) { raw in
            raw[raw.count - 2] = 13
            raw[raw.count - 1] = 10
            let start = writeDecimal(value, endingAt: raw.count - 2, in: raw)
            writeLine(36, raw.count - 2 - start, into: &buffer)
            buffer.writeBytes(UnsafeRawBufferPointer(rebasing: raw[start...]))
        }
    }

    /// Writes the decimal digits of `value` (a leading '-' when negative) so that they end just
    /// before `end`; returns where they start.
    private static func writeDecimal(_ value: Int, endingAt end: Int, in raw: UnsafeMutableRawBufferPointer) -> Int {
        var start = end
        var rest = value.magnitude
        repeat {
            start -= 1
            raw[start] = UInt8(48 + rest % 10)
            rest /= 10
        } while rest > 0
        if value < 0 {
            start -= 1
            raw[start] = 45
        }
        return start
    }
}
