/// Scheme names and the protocols they select: `text` for `text://`, `jsonnl` for `jsonnl://`.
///
/// The built-in protocols of the Protocols module register themselves when a program links it; user
/// protocols register with `Worker.register(_:as:)`. Names are case-insensitive, and a later
/// registration of a name replaces an earlier one, so a user can override a built-in (as Workerman's
/// `\Protocols\Http` overrides its own).
///
/// The built-ins register from a load-time constructor, which can run before the Swift runtime has
/// seeded its hashing (it does in programs linked with `--static-swift-stdlib`): so the registry is a
/// short list searched in order, never a hashed dictionary.
package enum ProtocolRegistry {
    // One thread per process owns it.
    nonisolated(unsafe) private static var entries: [(scheme: String, type: any StatefulWireProtocol.Type)] = []

    /// The transport schemes, which are not protocols.
    package static let transports = ["tcp", "udp", "unix", "ssl"]

    /// Registers `type` under `scheme`.
    package static func register(_ type: any StatefulWireProtocol.Type, as scheme: String) {
        let name = scheme.lowercased()
        entries.removeAll { $0.scheme == name }
        entries.append((name, type))
    }

    /// The protocol registered under `scheme`, if any.
    package static func lookup(_ scheme: String) -> (any StatefulWireProtocol.Type)? {
        let name = scheme.lowercased()
        return entries.last { $0.scheme == name }?.type
    }

    /// Every registered scheme, sorted.
    package static var schemes: [String] { entries.map(\.scheme).sorted() }
}
