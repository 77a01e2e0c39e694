/// The client whose event a business worker is handling: GatewayWorker's `Context` and
/// `$_SESSION`. Set for the duration of each `BusinessWorker` event; nil/empty outside one.
///
/// Change `session` inside an event and it is saved to the client's gateway when the event returns
/// (when it changed), as `$_SESSION` is.
public enum GatewayContext {
    // One thread per process owns these.
    nonisolated(unsafe) public internal(set) static var clientID: ClientID?
    /// The client's IP address as its gateway saw it.
    nonisolated(unsafe) public internal(set) static var remoteIP = ""
    /// The client's port.
    nonisolated(unsafe) public internal(set) static var remotePort = 0
    /// The client-facing port of its gateway.
    nonisolated(unsafe) public internal(set) static var gatewayPort = 0
    /// The current client's session (nil when it has none).
    nonisolated(unsafe) public static var session: GatewaySession?
    /// The session as the event started, to tell whether it changed.
    nonisolated(unsafe) static var sessionAtStart: GatewaySession?

    static func clear() {
        clientID = nil
        remoteIP = ""
        remotePort = 0
        gatewayPort = 0
        session = nil
        sessionAtStart = nil
    }
}
