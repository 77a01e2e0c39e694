import WorkerCore

/// Placeholder: the `WebSocket` protocol is being built (its issue is open). Refuses every connection.
public enum WebSocket: WireProtocol {
    /// Refuses the bytes.
    public static func input(_ buffer: ByteView, connection: Connection) -> InputResult {
        .invalid("the WebSocket protocol is not implemented yet")
    }

    /// Never called.
    public static func decode(_ packet: ByteView, connection: Connection) throws -> Message? { nil }

    /// Writes nothing.
    public static func encode(_ message: Message, connection: Connection, into buffer: inout ByteBuffer) throws {}
}
