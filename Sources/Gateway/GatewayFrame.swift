import WorkermanCore

/// One GatewayProtocol frame: GatewayWorker 4's 28-byte big-endian header (`pack("NCNnNnNCnN")`),
/// then ext_data, then the body.
///
/// ```
///  0 N total length   4 C command        5 N local (gateway) ip   9 n local port   11 N client ip
/// 15 n client port   17 N connection id 21 C flags               22 n gateway port 24 N ext_data length
/// ```
/// The body is PHP-serialized unless `flags` has `.bodyIsScalar` (then it is the bytes as they are).
public struct GatewayFrame: Equatable, Sendable {
    /// The header's flag bits.
    public struct Flags: OptionSet, Hashable, Sendable {
        /// The byte on the wire.
        public let rawValue: UInt8
        /// Flags from the wire byte.
        public init(rawValue: UInt8) { self.rawValue = rawValue }
        /// `FLAG_BODY_IS_SCALAR`: the body is raw bytes, not `serialize`d.
        public static let bodyIsScalar = Flags(rawValue: 0x01)
        /// `FLAG_NOT_CALL_ENCODE`: the gateway sends the body to clients as is (`raw`), without the
        /// client protocol's encode.
        public static let skipClientEncode = Flags(rawValue: 0x02)
    }

    /// The header's size.
    public static let headerLength = 28

    /// What the frame asks or tells.
    public var command: GatewayCommand
    /// The gateway's LAN address (with `localPort`, the gateway a client id names).
    public var localIP: UInt32 = 0
    /// The gateway's internal port.
    public var localPort: UInt16 = 0
    /// The client's address as the gateway saw it.
    public var clientIP: UInt32 = 0
    /// The client's port.
    public var clientPort: UInt16 = 0
    /// The client's connection number in its gateway.
    public var connectionID: UInt32 = 0
    /// The flag bits.
    public var flags: Flags = []
    /// The gateway's client-facing port.
    public var gatewayPort: UInt16 = 0
    /// The extra data: a serialized session, a uid, a group, or JSON (see each command).
    public var extData: [UInt8] = []
    /// The body: raw bytes when `flags` has `.bodyIsScalar`, else a `serialize`d value.
    public var body: [UInt8] = []

    /// A frame with `command` and everything else zero or empty (PHP's `GatewayProtocol::$empty`).
    public init(_ command: GatewayCommand) { self.command = command }

    /// A frame whose body is `value`: a scalar (string, number, boolean) goes as its bytes with
    /// `.bodyIsScalar`, null and arrays are serialized, as PHP's `GatewayProtocol::encode` does.
    public init(_ command: GatewayCommand, body value: PHPValue) {
        self.command = command
        setBody(value)
    }

    /// Sets the body from `value` (see `init(_:body:)`).
    public mutating func setBody(_ value: PHPValue) {
        switch value {
        case .null, .array:
            flags.remove(.bodyIsScalar)
            body = PHPSerialization.serialize(value)
        default:
            flags.insert(.bodyIsScalar)
            body = Array(value.stringValue.utf8)
        }
    }

    /// Sets a raw-bytes body (`.bodyIsScalar`).
    public mutating func setBody(bytes: [UInt8]) {
        flags.insert(.bodyIsScalar)
        body = bytes
    }

    /// The body as a value: the bytes as a string when scalar, else unserialized.
    public func bodyValue() throws(PHPSerializationError) -> PHPValue {
        flags.contains(.bodyIsScalar)
            ? .string(String(decoding: body, as: UTF8.self)) : try PHPSerialization.unserialize(body)
    }

    /// ext_data as text.
    public var extText: String { String(decoding: extData, as: UTF8.self) }

    /// The client this frame is about, named by the gateway fields.
    public var clientID: ClientID { ClientID(gatewayIP: localIP, gatewayPort: localPort, connectionID: connectionID) }

    /// The frame's total length on the wire.
    public var encodedLength: Int { Self.headerLength + extData.count + body.count }

    /// Appends the wire form to `buffer`.
    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeInteger(UInt32(truncatingIfNeeded: encodedLength))
        buffer.writeInteger(command.rawValue)
        buffer.writeInteger(localIP)
        buffer.writeInteger(localPort)
        buffer.writeInteger(clientIP)
        buffer.writeInteger(clientPort)
        buffer.writeInteger(connectionID)
        buffer.writeInteger(flags.rawValue)
        buffer.writeInteger(gatewayPort)
        buffer.writeInteger(UInt32(extData.count))
        buffer.writeBytes(extData)
        buffer.writeBytes(body)
    }

    /// The wire form.
    public var encoded: ByteBuffer {
        var buffer = ByteBuffer(capacity: encodedLength)
        encode(into: &buffer)
        return buffer
    }

    /// Reads the one frame `packet` holds (exactly its total length).
    public init(decoding packet: ByteView) throws(GatewayWireError) {
        guard packet.count >= Self.headerLength, let total = packet.readInteger(at: 0, as: UInt32.self) else {
            throw GatewayWireError("a frame shorter than the 28-byte header")
        }
        guard Int(total) == packet.count else {
            throw GatewayWireError("frame length \(total) != \(packet.count) bytes")
        }
        command = GatewayCommand(rawValue: packet[4])
        localIP = packet.readInteger(at: 5)!
        localPort = packet.readInteger(at: 9)!
        clientIP = packet.readInteger(at: 11)!
        clientPort = packet.readInteger(at: 15)!
        connectionID = packet.readInteger(at: 17)!
        flags = Flags(rawValue: packet[21])
        gatewayPort = packet.readInteger(at: 22)!
        let extLength = Int(packet.readInteger(at: 24, as: UInt32.self)!)
        guard extLength <= packet.count - Self.headerLength else {
            throw GatewayWireError("ext_data length \(extLength) is past the frame's end")
        }
        extData = packet.slice(Self.headerLength..<Self.headerLength + extLength).bytes
        body = packet.dropping(first: Self.headerLength + extLength).bytes
    }

    /// A gateway's reply to a query: `pack('N', length)` and the serialized `value`.
    public static func reply(_ value: PHPValue) -> ByteBuffer {
        let payload = PHPSerialization.serialize(value)
        return reply(serialized: payload)
    }

    /// A reply whose value is already serialized.
    public static func reply(serialized payload: [UInt8]) -> ByteBuffer {
        var buffer = ByteBuffer(capacity: payload.count + 4)
        buffer.writeInteger(UInt32(payload.count))
        buffer.writeBytes(payload)
        return buffer
    }
}

/// A malformed internal frame or reply: the connection that sent it is closed with this reason.
public struct GatewayWireError: Error, CustomStringConvertible, Equatable {
    /// What was wrong.
    public let description: String
    /// An error with `description`.
    public init(_ description: String) { self.description = description }
}
