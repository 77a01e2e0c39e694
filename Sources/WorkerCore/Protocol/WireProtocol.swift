/// What `input` says about the bytes received so far.
public enum InputResult: Equatable, Sendable {
    /// The first packet is not complete, or its length is not known yet: wait for more bytes.
    case needMore
    /// The first packet is this many bytes long, header and delimiter included.
    case packet(length: Int)
    /// The bytes can never become a valid packet: the connection is closed and the reason logged.
    case invalid(String)
    /// Write these bytes now (an interim answer, such as HTTP's `100 Continue`), then call `input`
    /// again on the same bytes: the protocol notes in its state that it answered.
    case reply([UInt8])
    /// Write these bytes (an error answer: an HTTP 400, a WebSocket close frame), then close the
    /// connection once they are out; the reason is logged.
    case replyAndClose([UInt8], reason: String)
}

/// What a protocol asks of its connection when a deadline passes or its Worker leaves.
public enum ConnectionAction: Equatable, Sendable {
    /// Nothing: the connection goes on.
    case proceed
    /// Close the connection after what is queued.
    case close(reason: String)
    /// Write these bytes, then close (an HTTP 408, a WebSocket 1001 close frame).
    case replyAndClose([UInt8], reason: String)
}

/// An application protocol whose connections each keep a `State`: how to cut packets out of a byte
/// stream, decode them and encode replies, with that state at hand.
///
/// The connection owns one `State` per connection, made by `makeState(for:)` and handed to every
/// call as `inout`: no casts, no side tables. A protocol without state conforms to `WireProtocol`
/// instead (Workerman's three functions). The functions run on the connection's loop and must not
/// call back into the application while they hold the state: what the application should see is
/// returned (`decode`'s value, handed to `deliver` once the state is released) and what the peer
/// should see is returned too (`.reply`, `.replyAndClose`, `ProtocolError(reply:)`). A protocol
/// whose functions do run application hooks (WebSocket's `onWebSocketConnect`) keeps its state in a
/// class, so that a nested `send` sees the same object.
///
/// ```swift
/// /// Numbers each line it receives: "1: hello".
/// enum NumberedLines: StatefulWireProtocol {
///     static func makeState(for connection: Connection) -> Int { 0 }
///     static func input(_ buffer: ByteView, state: inout Int, connection: Connection) -> InputResult {
///         buffer.firstIndex(of: UInt8(ascii: "\n")).map { .packet(length: $0 + 1) } ?? .needMore
///     }
///     static func decode(_ packet: ByteView, state: inout Int, connection: Connection) throws -> Message? {
///         state += 1
///         return .text("\(state): \(packet.slice(0..<packet.count - 1).string)")
///     }
///     static func encode(_ message: Message, state: inout Int, connection: Connection, into buffer: inout ByteBuffer) {
///         message.writeRaw(into: &buffer)
///         buffer.writeInteger(UInt8(ascii: "\n"))
///     }
/// }
/// ```
public protocol StatefulWireProtocol {
    /// What the protocol keeps per connection between packets.
    associatedtype State
    /// What `decode` makes of a packet; `Message` unless the protocol delivers a richer type
    /// (HTTP's `Request`) through its own `deliver`.
    associatedtype Inbound = Message

    /// The state of a new connection (its Worker, if any, is set: read per-Worker settings here).
    static func makeState(for connection: Connection) -> State
    /// The length of the first packet in `buffer`, or what else to do (see `InputResult`). A length
    /// over the connection's `maxPackageSize` closes the connection.
    static func input(_ buffer: ByteView, state: inout State, connection: Connection) -> InputResult
    /// What `packet` (exactly one packet, as `input` measured it) carries; nil when nothing is for the
    /// application (a control frame, one fragment of a longer message). Throwing closes the
    /// connection with the error logged, after writing a `ProtocolError`'s `reply`.
    static func decode(_ packet: ByteView, state: inout State, connection: Connection) throws -> Inbound?
    /// Appends the wire form of `message` to `buffer`. Throwing refuses the send (`.failed`).
    static func encode(_ message: Message, state: inout State, connection: Connection, into buffer: inout ByteBuffer)
        throws
    /// Hands a decoded value to the application; by default `onMessage` gets `message(from:)`.
    static func deliver(_ inbound: Inbound, state: State, connection: TcpConnection)
    /// `inbound` as the `Message` that `onMessage` takes (a datagram's packets always go there).
    static func message(from inbound: Inbound) -> Message
    /// The connection is established (after its TLS handshake), before `onConnect`; or it took this
    /// protocol while established. Optional.
    static func opened(state: inout State, connection: TcpConnection)
    /// The connection closed (after `onClose`), or it changed to another protocol. Optional.
    static func closed(state: inout State, connection: TcpConnection)
    /// Called about once a second for each connection of a Worker whose protocol `hasDeadlines`:
    /// what to do about a phase that took too long (`now` is `MonotonicClock.now()`). Optional.
    static func checkDeadlines(state: inout State, connection: TcpConnection, now: UInt64) -> ConnectionAction
    /// True when `checkDeadlines` should be called (default false: no sweep for this protocol).
    static var hasDeadlines: Bool { get }
    /// True when the connection should stop reading while its send buffer is full and read again
    /// once it drains (back-pressure: a peer that sends requests without reading the answers waits,
    /// and no answer is dropped). Default false: Workerman's rule, a send past the limit fails.
    static var appliesBackPressure: Bool { get }
    /// The packet loop, called by the connection with what it read: an implementation detail whose
    /// default implementation every protocol uses (it is inlinable, so each protocol gets it compiled
    /// for itself). Do not implement it.
    static func _receivePackets(_ bytes: ByteView, driver: AnyObject, connection: TcpConnection) -> Int
    /// The connection's Worker is leaving (reload or graceful stop): finish what is under way and
    /// close, e.g. answer the next request with `Connection: close`, send a WebSocket 1001 close
    /// frame. Called once per connection; the default closes nothing (the Worker's stop does).
    static func leaving(state: inout State, connection: TcpConnection) -> ConnectionAction
}

extension StatefulWireProtocol {
    /// Does nothing.
    public static func opened(state: inout State, connection: TcpConnection) {}
    /// Does nothing.
    public static func closed(state: inout State, connection: TcpConnection) {}
    /// `.proceed`.
    public static func checkDeadlines(state: inout State, connection: TcpConnection, now: UInt64) -> ConnectionAction {
        .proceed
    }
    /// False.
    public static var hasDeadlines: Bool { false }
    /// False.
    public static var appliesBackPressure: Bool { false }
    /// `.proceed`: the connection is left to the Worker's stop.
    public static func leaving(state: inout State, connection: TcpConnection) -> ConnectionAction { .proceed }
    /// Calls the connection's `onMessage` with `message(from: inbound)`.
    @inlinable
    public static func deliver(_ inbound: Inbound, state: State, connection: TcpConnection) {
        connection.deliverMessage(message(from: inbound))
    }
}

extension StatefulWireProtocol where Inbound == Message {
    /// The message itself.
    @inlinable
    public static func message(from inbound: Message) -> Message { inbound }
}

/// An application protocol as Workerman writes one: three functions, no state of its own.
///
/// - `input` is called with everything received and not yet consumed; it returns the length of the
///   first packet (header and delimiter included), `.needMore`, or `.invalid(reason)`. A length over
///   the connection's `maxPackageSize` closes the connection.
/// - `decode` turns exactly one packet (the first `length` bytes) into the `Message` that `onMessage`
///   gets, or nil when there is nothing to deliver.
/// - `encode` appends the wire form of a `Message` that `send` was given.
///
/// Register a conformance under a scheme name to listen with it: `Worker.register(JsonNL.self, as: "jsonnl")`
/// and then `Worker("jsonnl://0.0.0.0:1234")`. A protocol that must remember something between
/// packets of one connection conforms to `StatefulWireProtocol`, which this refines.
public protocol WireProtocol: StatefulWireProtocol where State == Void, Inbound == Message {
    /// The length of the first packet in `buffer`, or `.needMore` / `.invalid`.
    static func input(_ buffer: ByteView, connection: Connection) -> InputResult
    /// The message in `packet`, which is exactly one packet as `input` measured it; nil when the
    /// packet carries nothing for `onMessage`. Throwing closes the connection with the error logged.
    static func decode(_ packet: ByteView, connection: Connection) throws -> Message?
    /// Appends the wire form of `message` to `buffer`. Throwing refuses the send (it returns `.failed`).
    static func encode(_ message: Message, connection: Connection, into buffer: inout ByteBuffer) throws
}

extension WireProtocol {
    /// No state.
    @inlinable
    public static func makeState(for connection: Connection) {}

    /// `input(_:connection:)`.
    @inlinable
    public static func input(_ buffer: ByteView, state: inout Void, connection: Connection) -> InputResult {
        input(buffer, connection: connection)
    }

    /// `decode(_:connection:)`.
    @inlinable
    public static func decode(_ packet: ByteView, state: inout Void, connection: Connection) throws -> Message? {
        try decode(packet, connection: connection)
    }

    /// `encode(_:connection:into:)`.
    @inlinable
    public static func encode(
        _ message: Message, state: inout Void, connection: Connection, into buffer: inout ByteBuffer
    ) throws {
        try encode(message, connection: connection, into: &buffer)
    }
}

/// A `decode` or `encode` failure with its reason, for protocols to throw; `reply` (an error answer
/// such as an HTTP 400 or a WebSocket close frame) is written before the connection closes.
public struct ProtocolError: Error, CustomStringConvertible {
    /// Why the bytes or the message were refused.
    public let description: String
    /// What the peer is told before the connection closes; empty for nothing.
    public let reply: [UInt8]

    /// An error with the given reason, and the bytes to answer with before closing.
    public init(_ description: String, reply: [UInt8] = []) {
        self.description = description
        self.reply = reply
    }
}

extension Message {
    /// Appends the message's bytes as they are (`.text` as UTF-8): the encoding of `send(_, raw: true)`
    /// and of raw `tcp://` connections.
    @inlinable
    public func writeRaw(into buffer: inout ByteBuffer) {
        switch self {
        case .text(let text): buffer.writeString(text)
        case .binary(let bytes): buffer.writeBytes(bytes)
        case .object(let value): Self.writeRaw(object: value, into: &buffer)
        }
    }

    /// `writeRaw` of an `.object`: a `ByteBuffer`'s bytes, anything else described.
    @usableFromInline
    static func writeRaw(object value: Any, into buffer: inout ByteBuffer) {
        if let bytes = value as? ByteBuffer {
            buffer.writeBuffer(bytes)
        } else {
            buffer.writeString(String(describing: value))
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
