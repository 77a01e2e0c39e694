import WorkermanCore

/// Something that can be a command argument: written as one RESP bulk string, binary-safe.
public protocol RedisArgument {
    /// Appends this argument as a bulk string (`$<length>\r\n<bytes>\r\n`).
    func writeRedisArgument(into buffer: inout ByteBuffer)
}

extension String: RedisArgument {
    /// The UTF-8 bytes.
    public func writeRedisArgument(into buffer: inout ByteBuffer) {
        var copy = self
        copy.withUTF8 { RedisCommand.writeBulk(UnsafeRawBufferPointer($0), into: &buffer) }
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
    public func writeRedisArgument(into buffer: inout ByteBuffer) { String(self).writeRedisArgument(into: &buffer) }
}

extension Int64: RedisArgument {
    /// The decimal text.
    public func writeRedisArgument(into buffer: inout ByteBuffer) { String(self).writeRedisArgument(into: &buffer) }
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

    /// `name` followed by `arguments`.
    public init(_ name: String, _ arguments: any RedisArgument...) { self.init(name, arguments: arguments) }

    /// `name` followed by `arguments`.
    public init(_ name: String, arguments: [any RedisArgument]) {
        self.name = name
        encoded = ByteBuffer(capacity: 16 + name.utf8.count + arguments.count * 16)
        encoded.writeString("*\(arguments.count + 1)\r\n")
        name.writeRedisArgument(into: &encoded)
        for argument in arguments { argument.writeRedisArgument(into: &encoded) }
    }

    /// Appends `bytes` as one bulk string.
    static func writeBulk(_ bytes: UnsafeRawBufferPointer, into buffer: inout ByteBuffer) {
        buffer.writeString("$\(bytes.count)\r\n")
        buffer.writeBytes(bytes)
        buffer.writeBytes([13, 10])
    }
}
