import CWorkermanTLSDefaults
import WorkermanCore

/// Called by CTLSDefaults' load-time constructor: outgoing ssl connections (`ssl` transport,
/// `wss://` addresses) without a context of their own verify servers with the system's CAs.
@_cdecl("workerman_register_tls_defaults")
public func workermanRegisterTLSDefaults() {
    TransportSecurityDefaults.setClientContextMaker { TLSClientContext() }
}
