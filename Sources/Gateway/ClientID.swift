/// A client's id across the whole cluster: which gateway holds it (LAN IPv4 address and internal
/// port) and its connection number there. As text it is GatewayWorker's 20 hex characters,
/// `bin2hex(pack('NnN', ip, port, connection_id))`, so sending to one client needs no lookup.
public struct ClientID: Hashable, Sendable, CustomStringConvertible, Comparable {
    /// The gateway's LAN IPv4 address, as a big-endian-read integer (`ip2long`).
    public let gatewayIP: UInt32
    /// The gateway process's internal (GatewayProtocol) port.
    public let gatewayPort: UInt16
    /// The connection's number in that gateway process.
    public let connectionID: UInt32

    /// The id of connection `connectionID` on the gateway at `gatewayIP:gatewayPort`.
    public init(gatewayIP: UInt32, gatewayPort: UInt16, connectionID: UInt32) {
        self.gatewayIP = gatewayIP
        self.gatewayPort = gatewayPort
        self.connectionID = connectionID
    }

    /// Parses 20 hex characters (either case); nil for anything else.
    public init?(_ text: String) {
        let utf8 = Array(text.utf8)
        guard utf8.count == 20 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(10)
        for index in stride(from: 0, to: 20, by: 2) {
            guard let high = Self.nibble(utf8[index]), let low = Self.nibble(utf8[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
        }
        gatewayIP = bytes[0..<4].reduce(0) { $0 << 8 | UInt32($1) }
        gatewayPort = bytes[4..<6].reduce(0) { $0 << 8 | UInt16($1) }
        connectionID = bytes[6..<10].reduce(0) { $0 << 8 | UInt32($1) }
    }

    private static func nibble(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    /// The 20 lowercase hex characters.
    public var description: String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(20)
        func put<T: FixedWidthInteger>(_ value: T) {
            for shift in stride(from: T.bitWidth - 4, through: 0, by: -4) {
                out.append(digits[Int((value >> shift) & 0xF)])
            }
        }
        put(gatewayIP)
        put(gatewayPort)
        put(connectionID)
        return String(decoding: out, as: UTF8.self)
    }

    /// The gateway's internal address, "ip:port", as the Register announces it.
    public var gatewayAddress: String { "\(IPv4.text(gatewayIP)):\(gatewayPort)" }

    /// Ordered by gateway, then connection.
    public static func < (lhs: ClientID, rhs: ClientID) -> Bool {
        (lhs.gatewayIP, lhs.gatewayPort, lhs.connectionID) < (rhs.gatewayIP, rhs.gatewayPort, rhs.connectionID)
    }
}

/// IPv4 addresses as PHP's `ip2long` / `long2ip` integers: the wire's address fields are 4 bytes,
/// so GatewayWorker's LAN addresses are IPv4 only.
public enum IPv4 {
    /// The integer of dotted-quad `text`; nil when it is not one (an IPv6 address, a name).
    public static func parse(_ text: String) -> UInt32? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var value: UInt32 = 0
        for part in parts {
            guard !part.isEmpty, part.count <= 3, let byte = UInt8(part) else { return nil }
            value = value << 8 | UInt32(byte)
        }
        return value
    }

    /// The dotted quad of `value`.
    public static func text(_ value: UInt32) -> String {
        "\(value >> 24).\(value >> 16 & 0xFF).\(value >> 8 & 0xFF).\(value & 0xFF)"
    }
}
