import WorkermanCore

/// Workerman's `frame` protocol: a 4-byte big-endian length, counting itself, then the payload.
///
/// An empty payload is the four bytes `00 00 00 04`. A length below 4 can never be valid and closes
/// the connection. Payloads decode as `.binary`.
public enum Frame: WireProtocol {
    /// The size of the length header.
    public static let headerLength = 4

    /// The announced total length, once the header is in.
    public static func input(_ buffer: ByteView, connection: Connection) -> InputResult {
        guard let length = buffer.readInteger(at: 0, as: UInt32.self) else { return .needMore }
        guard length >= UInt32(headerLength) else {
            return .invalid("frame length \(length) is below the 4-byte header")
        }
        return .packet(length: Int(length))
    }

    /// The payload after the header.
    public static func decode(_ packet: ByteView, connection: Connection) throws -> Message? {
        .binary(packet.dropping(first: headerLength).bytes)
    }

    /// The length header followed by the payload.
    public static func encode(_ message: Message, connection: Connection, into buffer: inout ByteBuffer) throws {
        let lengthAt = buffer.writerIndex
        buffer.writeInteger(UInt32(0))
        message.writeRaw(into: &buffer)
        let total = buffer.writerIndex - lengthAt
        guard total <= Int(UInt32.max) else { throw ProtocolError("a frame payload must be under 4 GiB") }
        buffer.setInteger(UInt32(total), at: lengthAt)
    }
}
