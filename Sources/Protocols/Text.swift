import WorkermanCore

/// Workerman's `text` protocol: one packet per line, ended by "\n".
///
/// `decode` strips the trailing "\n" and any "\r" before it, so telnet (which sends "\r\n") works;
/// `encode` appends "\n". A line that reaches the connection's `maxPackageSize` without a newline
/// closes the connection.
public enum Text: WireProtocol {
    /// The length of the first line, "\n" included.
    public static func input(_ buffer: ByteView, connection: Connection) -> InputResult {
        if let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) { return .packet(length: newline + 1) }
        let limit = connection.maxPackageSize
        return buffer.count >= limit
            ? .invalid("no newline in the first \(buffer.count) bytes (maxPackageSize \(limit))") : .needMore
    }

    /// The line without its line ending.
    public static func decode(_ packet: ByteView, connection: Connection) throws -> Message? {
        var end = packet.count
        while end > 0 && (packet[end - 1] == UInt8(ascii: "\n") || packet[end - 1] == UInt8(ascii: "\r")) { end -= 1 }
        return .text(packet.slice(0..<end).string)
    }

    /// The message followed by "\n".
    public static func encode(_ message: Message, connection: Connection, into buffer: inout ByteBuffer) throws {
        message.writeRaw(into: &buffer)
        buffer.writeInteger(UInt8(ascii: "\n"))
    }
}
