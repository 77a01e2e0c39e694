import WorkermanCore

/// Builds the `RedisReply` of one complete reply that `RESPScanner` measured.
struct RESPDecoder {
    private let bytes: ByteView
    private var offset = 0

    /// The reply in `packet`, which holds exactly one reply.
    static func decode(_ packet: ByteView) throws(ProtocolError) -> RedisReply {
        var decoder = RESPDecoder(bytes: packet)
        let reply = try decoder.next(depth: 0)
        guard decoder.offset == packet.count else { throw ProtocolError("bytes after a reply") }
        return reply
    }

    private init(bytes: ByteView) { self.bytes = bytes }

    private mutating func next(depth: Int) throws(ProtocolError) -> RedisReply {
        guard depth <= RESPScanner.maxDepth, offset < bytes.count else { throw ProtocolError("a truncated reply") }
        guard case .line(let line) = RESPLine.read(bytes, at: offset) else { throw ProtocolError("a malformed reply") }
        offset = line.next
        switch line.type {
        case .simpleString: return .simpleString(line.header.string)
        case .simpleError: return .error(line.header.string)
        case .bigNumber: return .bigNumber(line.header.string)
        case .null: return .null
        case .boolean: return .boolean(line.header.first == UInt8(ascii: "t"))
        case .integer:
            guard let number = RESPLine.integer(line.header) else { throw ProtocolError("a bad integer") }
            return .integer(number)
        case .double:
            guard let number = RESPLine.double(line.header) else { throw ProtocolError("a bad double") }
            return .double(number)
        case .bulkString, .bulkError, .verbatimString:
            guard let length = RESPLine.integer(line.header), length >= -1 else { throw ProtocolError("a bad length") }
            guard length >= 0 else { return .null }
            let body = try take(Int(length))
            switch line.type {
            case .bulkError: return .error(String(decoding: body, as: UTF8.self))
            case .verbatimString:
                guard body.count >= 4, body[3] == UInt8(ascii: ":") else {
                    throw ProtocolError("a verbatim string without its format")
                }
                return .verbatimString(format: String(decoding: body[0..<3], as: UTF8.self), Array(body[4...]))
            default: return .bulkString(body)
            }
        case .array, .set, .push, .map, .attribute:
            guard let count = RESPLine.integer(line.header), count >= -1 else { throw ProtocolError("a bad count") }
            guard count >= 0 else { return .null }
            if line.type == .map || line.type == .attribute {
                var pairs: [RedisPair] = []
                pairs.reserveCapacity(Int(count))
                for _ in 0..<count {
                    let key = try next(depth: depth + 1)
                    pairs.append(RedisPair(key: key, value: try next(depth: depth + 1)))
                }
                return line.type == .map ? .map(pairs) : try next(depth: depth)  // attributes are dropped
            }
            var elements: [RedisReply] = []
            elements.reserveCapacity(Int(count))
            for _ in 0..<count { elements.append(try next(depth: depth + 1)) }
            switch line.type {
            case .set: return .set(elements)
            case .push: return .push(elements)
            default: return .array(elements)
            }
        }
    }

    private mutating func take(_ length: Int) throws(ProtocolError) -> [UInt8] {
        guard length <= bytes.count - offset - 2 else { throw ProtocolError("a truncated bulk string") }
        let body = bytes.slice(offset..<offset + length).bytes
        offset += length + 2
        return body
    }
}
