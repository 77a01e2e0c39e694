/// What `input` says about the bytes received so far.
public enum InputResult: Equatable {
    /// The first packet is not complete, or its length is not known yet: wait for more bytes.
    case needMore
    /// The first packet is this many bytes long, header and delimiter included.
    case packet(length: Int)
    /// The bytes can never become a valid packet: the connection is closed and the reason logged.
    case invalid(String)
}

/// An application protocol: how to cut packets out of a byte stream, decode them and encode replies.
///
/// The same contract as Workerman's `input` / `decode` / `encode`:
/// - `input` is called with everything received and not yet consumed; it returns the length of the
///   first packet (header and delimiter included), `.needMore`, or `.invalid(reason)`. A length over
///   the connection's `maxPackageSize` closes the connection.
/// - `decode` turns exactly one packet (the first `length` bytes) into the `Message` that `onMessage`
///   gets, or nil when there is nothing to deliver.
/// - `encode` appends the wire form of a `Message` that `send` was given.
///
/// Register a conformance under a scheme name to listen with it: `Worker.register(JsonNL.self, as: "jsonnl")`
/// and then `Worker("jsonnl://0.0.0.0:1234")`.
public protocol WireProtocol {
    /// The length of the first packet in `buffer`, or `.needMore` / `.invalid`.
    static func input(_ buffer: ByteView, connection: Connection) -> InputResult
    /// The message in `packet`, which is exactly one packet as `input` measured it; nil when the
    /// packet carries nothing for `onMessage` (a control frame the protocol answered itself, one
    /// fragment of a longer message). Throwing closes the connection with the error logged.
    static func decode(_ packet: ByteView, connection: Connection) throws -> Message?
    /// Appends the wire form of `message` to `buffer`. Throwing refuses the send (it returns `.failed`).
    static func encode(_ message: Message, connection: Connection, into buffer: inout ByteBuffer) throws
    /// Called once when a connection using this protocol closes (after `onClose`). Optional.
    static func connectionClosed(_ connection: Connection)
    /// Called once when a connection using this protocol is established, before `onConnect`. Optional.
    static func connectionOpened(_ connection: Connection)
    /// Called once when the process holding the connection begins to leave (reload, graceful stop,
    /// SIGTERM): end the connection at its next clean point (after the response in progress, with
    /// a close frame). The process exits when its connections are gone or `Worker.stopTimeout` has
    /// passed. Optional: by default the connection stays until the peer closes it or the deadline.
    static func workerLeaving(_ connection: TcpConnection)
}

extension WireProtocol {
    /// Does nothing.
    public static func connectionClosed(_ connection: Connection) {}
    /// Does nothing.
    public static func connectionOpened(_ connection: Connection) {}
    /// Does nothing.
    public static func workerLeaving(_ connection: TcpConnection) {}
}

/// A `decode` or `encode` failure with its reason, for protocols to throw.
public struct ProtocolError: Error, CustomStringConvertible {
    /// Why the bytes or the message were refused.
    public let description: String

    /// An error with the given reason.
    public init(_ description: String) { self.description = description }
}

extension Message {
    /// Appends the message's bytes as they are (`.text` as UTF-8): the encoding of `send(_, raw: true)`
    /// and of raw `tcp://` connections.
    public func writeRaw(into buffer: inout ByteBuffer) {
        switch self {
        case .text(let text): buffer.writeString(text)
        case .binary(let bytes): buffer.writeBytes(bytes)
        case .object(let value):
            if let bytes = value as? ByteBuffer {
                buffer.writeBuffer(bytes)
            } else {
                buffer.writeString(String(describing: value))
            }
        }
    }

    /// A size estimate for buffer reservation.
    var sizeHint: Int {
        switch self {
        case .text(let text): return text.utf8.count + 16
        case .binary(let bytes): return bytes.count + 16
        case .object: return 256
        }
    }
}
