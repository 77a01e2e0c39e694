/// Scheme names and the protocols they select: `text` for `text://`, `jsonnl` for `jsonnl://`.
///
/// The built-in protocols of the Protocols module register themselves when a program links it; user
/// protocols register with `Worker.register(_:as:)`. Names are case-insensitive, and a later
/// registration of a name replaces an earlier one, so a user can override a built-in (as Workerman's
/// `\Protocols\Http` overrides its own).
public enum ProtocolRegistry {
    nonisolated(unsafe) private static var protocols: [String: any WireProtocol.Type] = [:]  // one thread per process

    /// The transport schemes, which are not protocols.
    public static let transports: Set<String> = ["tcp", "udp", "unix", "ssl"]

    /// Registers `type` under `scheme`.
    public static func register(_ type: any WireProtocol.Type, as scheme: String) {
        protocols[scheme.lowercased()] = type
    }

    /// The protocol registered under `scheme`, if any.
    public static func lookup(_ scheme: String) -> (any WireProtocol.Type)? {
        protocols[scheme.lowercased()]
    }

    /// Every registered scheme, sorted.
    public static var schemes: [String] { protocols.keys.sorted() }
}
