import WorkermanCore

/// The Redis serialization protocol (RESP2 and RESP3) as a `WireProtocol`: `input` measures one
/// reply, `decode` gives it as `.object(RedisReply)`, `encode` writes commands as they are (the
/// client encodes them with `RedisCommand`).
///
/// A reply over the connection's `maxPackageSize` or bytes that are not RESP close the connection;
/// the reason is kept in the connection's context under `RESP.failureKey` for the client's errors.
public enum RESP: WireProtocol {
    /// Why the last reply on a connection was refused.
    public static let failureKey = ContextKey<String>("redis.resp.failure")

    /// The length of the first reply, `.needMore`, or why the bytes are not RESP.
    public static func input(_ buffer: ByteView, connection: Connection) -> InputResult {
        let result = RESPScanner.measure(buffer, limit: connection.maxPackageSize)
        if case .invalid(let reason) = result { connection.context[failureKey] = reason }
        return result
    }

    /// The reply in `packet`.
    public static func decode(_ packet: ByteView, connection: Connection) throws -> Message? {
        do {
            return .object(try RESPDecoder.decode(packet))
        } catch {
            connection.context[failureKey] = error.description
            throw error
        }
    }

    /// Writes an encoded command (`.object(ByteBuffer)` or `.binary`) as it is.
    public static func encode(_ message: Message, connection: Connection, into buffer: inout ByteBuffer) throws {
        message.writeRaw(into: &buffer)
    }
}
