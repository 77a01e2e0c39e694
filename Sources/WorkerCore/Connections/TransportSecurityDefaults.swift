/// Where the TLS module leaves its default client context, so that an `ssl` `AsyncTcpConnection`
/// (or a `wss://` client) without one of its own still verifies the server. WorkerCore cannot import
/// the TLS module (the arrows point the other way); the TLS module registers itself here when the
/// program loads.
package enum TransportSecurityDefaults {
    nonisolated(unsafe) private static var makeClientContext: (() throws -> TransportSecurityContext)?  // set at load
    nonisolated(unsafe) private static var cachedClientContext: TransportSecurityContext?  // one thread per process

    /// Installs the maker of the default client context.
    package static func setClientContextMaker(_ make: @escaping () throws -> TransportSecurityContext) {
        makeClientContext = make
        cachedClientContext = nil
    }

    /// The default client context (made once per process), or nil when no TLS module is linked.
    package static func clientContext() throws -> TransportSecurityContext? {
        if let cachedClientContext { return cachedClientContext }
        cachedClientContext = try makeClientContext?()
        return cachedClientContext
    }
}
