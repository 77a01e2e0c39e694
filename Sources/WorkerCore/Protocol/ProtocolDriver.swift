/// Runs one connection's protocol: holds the protocol's state for the connection and calls its
/// functions. A connection reaches it through these overridable methods (one virtual call, no casts,
/// no boxing); `Driver<P>` is the one implementation.
@usableFromInline
class ProtocolDriver {
    /// Cuts and delivers the packets at the start of `bytes`; returns how many bytes it consumed.
    func parse(_ bytes: ByteView, on connection: TcpConnection) -> Int { 0 }
    /// Appends the wire form of `message`.
    func encode(_ message: Message, on connection: Connection, into buffer: inout ByteBuffer) throws {}
    /// The protocol's `opened` hook.
    func opened(_ connection: TcpConnection) {}
    /// The protocol's `closed` hook.
    func closed(_ connection: TcpConnection) {}
    /// The protocol's `checkDeadlines` hook.
    func checkDeadlines(_ connection: TcpConnection, now: UInt64) -> ConnectionAction { .proceed }
    /// The protocol's `hasDeadlines`.
    var hasDeadlines: Bool { false }
    /// The protocol's `appliesBackPressure`.
    var appliesBackPressure: Bool { false }
    /// The protocol's `leaving` hook.
    func leaving(_ connection: TcpConnection) -> ConnectionAction { .proceed }
    /// The protocol.
    var wire: (any StatefulWireProtocol.Type)? { nil }
}

/// The driver of protocol `P`: its state for one connection. Its packet loop is
/// `P._receivePackets`, which each protocol's conformance compiles for itself (specialised, with no
/// generic value handling per packet).
@usableFromInline
final class Driver<P: StatefulWireProtocol>: ProtocolDriver {
    /// The protocol's state. Unchecked: the loop hands it to one protocol function at a time (never
    /// across `deliver`, where the application runs), and protocols that run application code inside
    /// their functions keep their state in a class (see `StatefulWireProtocol`), so a nested access
    /// sees the same object and never replaces it.
    @usableFromInline @exclusivity(unchecked) var state: P.State

    init(for connection: Connection) {
        state = P.makeState(for: connection)
    }

    override func parse(_ bytes: ByteView, on connection: TcpConnection) -> Int {
        P._receivePackets(bytes, driver: self, connection: connection)
    }

    override func encode(_ message: Message, on connection: Connection, into buffer: inout ByteBuffer) throws {
        try P.encode(message, state: &state, connection: connection, into: &buffer)
    }

    override func opened(_ connection: TcpConnection) { P.opened(state: &state, connection: connection) }

    override func closed(_ connection: TcpConnection) { P.closed(state: &state, connection: connection) }

    override func checkDeadlines(_ connection: TcpConnection, now: UInt64) -> ConnectionAction {
        P.checkDeadlines(state: &state, connection: connection, now: now)
    }

    override var hasDeadlines: Bool { P.hasDeadlines }

    override var appliesBackPressure: Bool { P.appliesBackPressure }

    override func leaving(_ connection: TcpConnection) -> ConnectionAction {
        P.leaving(state: &state, connection: connection)
    }

    override var wire: (any StatefulWireProtocol.Type)? { P.self }
}

extension StatefulWireProtocol {
    /// The packet loop every protocol shares: cuts packets from `bytes` with `input`, decodes each and
    /// delivers it, until the bytes run out or the connection pauses, closes or changes protocol;
    /// returns the bytes consumed. Inlinable, so that each conformance's witness is this loop
    /// compiled for that protocol.
    @inlinable
    public static func _receivePackets(_ bytes: ByteView, driver: AnyObject, connection: TcpConnection) -> Int {
        let driver = unsafeDowncast(driver, to: Driver<Self>.self)
        var offset = 0
        defer { connection.uncork() }
        while offset < bytes.count && connection.state == .established && connection.isReading
            && connection.driver === driver
        {
            let rest = bytes.dropping(first: offset)
            let length: Int
            if connection.pendingPacketLength > 0 {
                length = connection.pendingPacketLength
            } else {
                switch input(rest, state: &driver.state, connection: connection) {
                case .needMore:
                    return offset
                case .invalid(let reason):
                    connection.fail("bad packet: \(reason)")
                    return offset
                case .reply(let bytes):
                    connection.send(.binary(bytes), raw: true)
                    continue
                case .replyAndClose(let bytes, let reason):
                    connection.refuse(reply: bytes, reason: reason)
                    return offset
                case .packet(let measured):
                    guard measured > 0 else {
                        connection.fail("bad packet: the protocol measured \(measured) bytes")
                        return offset
                    }
                    guard measured <= connection.maxPackageSize else {
                        connection.fail(
                            "packet of \(measured) bytes is over maxPackageSize (\(connection.maxPackageSize))")
                        return offset
                    }
                    length = measured
                }
                guard connection.state == .established else { return offset }
            }
            guard rest.count >= length else {
                connection.pendingPacketLength = length
                return offset
            }
            connection.pendingPacketLength = 0
            offset += length
            ConnectionStatistics.countRequest()
            let inbound: Inbound?
            do {
                inbound = try decode(rest.slice(0..<length), state: &driver.state, connection: connection)
            } catch let error as ProtocolError where !error.reply.isEmpty {
                ConnectionStatistics.countDecodeFailure()
                connection.refuse(reply: error.reply, reason: error.description)
                return offset
            } catch {
                ConnectionStatistics.countDecodeFailure()
                connection.fail("cannot decode packet: \(error)")
                return offset
            }
            connection.isCorked = offset < bytes.count
            if let inbound, connection.state == .established {
                deliver(inbound, state: driver.state, connection: connection)
            }
        }
        return offset
    }
}

extension StatefulWireProtocol {
    /// A driver of this protocol for `connection`, with a fresh state.
    static func makeDriver(for connection: Connection) -> ProtocolDriver { Driver<Self>(for: connection) }

    /// A driver every connection may share: a `WireProtocol` keeps no state (its `State` is `Void`
    /// and its `makeState` does nothing), so one driver serves all of a Worker's connections.
    /// nil for a protocol with state.
    static func makeSharedDriver(for connection: Connection) -> ProtocolDriver? {
        guard self is any WireProtocol.Type else { return nil }
        return Driver<Self>(for: connection)
    }

    /// Encodes `message` with a state made for the occasion: for connections that keep none
    /// (a datagram's sender).
    static func encodeOnce(_ message: Message, connection: Connection, into buffer: inout ByteBuffer) throws {
        var state = makeState(for: connection)
        try encode(message, state: &state, connection: connection, into: &buffer)
    }

    /// Cuts every packet out of one datagram and hands each decoded one to `handler`; an incomplete
    /// tail, a refusal or a decoding error drops the rest (a datagram never continues).
    static func deliverDatagram(_ datagram: ByteView, connection: Connection, to handler: (Message) -> Void) {
        var state = makeState(for: connection)
        var offset = 0
        while offset < datagram.count {
            let rest = datagram.dropping(first: offset)
            guard case .packet(let length) = input(rest, state: &state, connection: connection), length > 0,
                length <= rest.count
            else {
                return
            }
            offset += length
            ConnectionStatistics.receivedPackets += 1
            do {
                if let inbound = try decode(rest.slice(0..<length), state: &state, connection: connection) {
                    handler(message(from: inbound))
                }
            } catch {
                return
            }
        }
    }
}
