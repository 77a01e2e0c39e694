import WorkermanCore

// The two WireProtocol conformances of the Gateway module, kept together so that a change of the
// protocol contract touches one file.

/// GatewayWorker's `GatewayProtocol`: the internal connections between gateways, business workers
/// and Gateway API clients. Decodes to `.object(GatewayFrame)`; encodes a `GatewayFrame` (or bytes
/// already encoded, sent as they are). A length below the header or over the connection's
/// `maxPackageSize` closes the connection.
public enum GatewayProtocol: WireProtocol {
    /// The total length, once the header is in.
    public static func input(_ buffer: ByteView, connection: Connection) -> InputResult {
        guard buffer.count >= GatewayFrame.headerLength, let length = buffer.readInteger(at: 0, as: UInt32.self) else {
            return .needMore
        }
        guard length >= UInt32(GatewayFrame.headerLength) else {
            return .invalid("GatewayProtocol length \(length) is below the 28-byte header")
        }
        let limit = connection.maxPackageSize
        guard Int(length) <= limit else {
            return .invalid("GatewayProtocol length \(length) over maxPackageSize \(limit)")
        }
        return .packet(length: Int(length))
    }

    /// The frame.
    public static func decode(_ packet: ByteView, connection: Connection) throws -> Message? {
        .object(try GatewayFrame(decoding: packet))
    }

    /// A `GatewayFrame`'s wire form; anything else as its raw bytes.
    public static func encode(_ message: Message, connection: Connection, into buffer: inout ByteBuffer) throws {
        if case .object(let value) = message, let frame = value as? GatewayFrame {
            frame.encode(into: &buffer)
        } else {
            message.writeRaw(into: &buffer)
        }
    }
}

/// The replies a gateway sends to queries: a 4-byte big-endian length (not counting itself) and a
/// serialized value. Decodes to `.binary(serialized bytes)`; sends bytes as they are (the queries,
/// already encoded frames).
public enum GatewayReplyProtocol: WireProtocol {
    /// 4 + the announced length.
    public static func input(_ buffer: ByteView, connection: Connection) -> InputResult {
        guard let length = buffer.readInteger(at: 0, as: UInt32.self) else { return .needMore }
        let limit = connection.maxPackageSize
        guard Int(length) <= limit else { return .invalid("reply length \(length) over maxPackageSize \(limit)") }
        return .packet(length: Int(length) + 4)
    }

    /// The serialized value after the length.
    public static func decode(_ packet: ByteView, connection: Connection) throws -> Message? {
        .binary(packet.dropping(first: 4).bytes)
    }

    /// The bytes as they are (a `GatewayFrame` is encoded).
    public static func encode(_ message: Message, connection: Connection, into buffer: inout ByteBuffer) throws {
        try GatewayProtocol.encode(message, connection: connection, into: &buffer)
    }
}
