import CWorkermanOpenSSL
import WorkermanCore

/// The oldest TLS version a context accepts.
public enum TLSVersion: Sendable {
    case tls12
    case tls13

    var openSSLValue: Int32 {
        switch self {
        case .tls12: return copenssl_tls1_2_version()
        case .tls13: return copenssl_tls1_3_version()
        }
    }
}

/// The TLS settings of an `ssl` Worker (Workerman's `ssl` context: `local_cert`, `local_pk`,
/// `verify_peer` ...): https, wss, or TLS under text and frame.
///
/// ```swift
/// let worker = Worker("websocket://0.0.0.0:443")
/// worker.tls = TLSServerContext(certificateChain: "/etc/ssl/site.pem", privateKey: "/etc/ssl/site.key")
/// ```
/// The files are read when the Worker starts (a bad path fails `start` in one line) and again in
/// every process a `reload` starts, so renewed certificates take over without dropping a
/// connection. `reloadCertificates()` re-reads them in a running process.
public final class TLSServerContext: TransportSecurityProvider {
    /// The PEM certificate chain, server certificate first.
    public let certificateChain: String
    /// The PEM private key.
    public let privateKey: String
    /// CA certificates that client certificates must chain to (with `verifyPeer`).
    public let caFile: String?
    /// Asks clients for a certificate and refuses those without a valid one.
    public let verifyPeer: Bool
    /// An OpenSSL cipher list for TLS 1.2, or nil for OpenSSL's defaults.
    public let ciphers: String?
    /// The oldest TLS version accepted.
    public let minimumVersion: TLSVersion
    /// Application protocols offered with ALPN, most preferred first (e.g. ["http/1.1"]).
    public let alpn: [String]
    private var context: OpaquePointer?
    private var alpnWire: UnsafeMutablePointer<UInt8>?

    /// Settings for a server; nothing is read until the Worker starts.
    public init(
        certificateChain: String, privateKey: String, caFile: String? = nil, verifyPeer: Bool = false,
        ciphers: String? = nil, minimumVersion: TLSVersion = .tls12, alpn: [String] = []
    ) {
        self.certificateChain = certificateChain
        self.privateKey = privateKey
        self.caFile = caFile
        self.verifyPeer = verifyPeer
        self.ciphers = ciphers
        self.minimumVersion = minimumVersion
        self.alpn = alpn
    }

    deinit {
        if let context { SSL_CTX_free(context) }
        alpnWire?.deallocate()
    }

    /// Reads the certificate and key (once).
    package func prepare() throws {
        if context == nil { try reloadCertificates() }
    }

    /// Reads the certificate and key files again; connections made from now on use them, open ones
    /// keep theirs.
    public func reloadCertificates() throws {
        guard let fresh = SSL_CTX_new(TLS_server_method()) else { throw TLSError.fromQueue("SSL_CTX_new") }
        do {
            try configure(fresh)
        } catch {
            SSL_CTX_free(fresh)
            throw error
        }
        if let context { SSL_CTX_free(context) }
        context = fresh
    }

    private func configure(_ context: OpaquePointer) throws {
        _ = copenssl_ctx_set_mode(context, copenssl_mode_partial_write())
        _ = copenssl_ctx_set_min_version(context, minimumVersion.openSSLValue)
        guard SSL_CTX_use_certificate_chain_file(context, certificateChain) == 1 else {
            throw TLSError.fromQueue("cannot load the certificate chain \(certificateChain)")
        }
        guard SSL_CTX_use_PrivateKey_file(context, privateKey, SSL_FILETYPE_PEM) == 1 else {
            throw TLSError.fromQueue("cannot load the private key \(privateKey)")
        }
        guard SSL_CTX_check_private_key(context) == 1 else {
            throw TLSError.fromQueue("the private key \(privateKey) does not match the certificate \(certificateChain)")
        }
        if let ciphers, SSL_CTX_set_cipher_list(context, ciphers) != 1 {
            throw TLSError.fromQueue("bad cipher list '\(ciphers)'")
        }
        if verifyPeer {
            if let caFile, SSL_CTX_load_verify_locations(context, caFile, nil) != 1 {
                throw TLSError.fromQueue("cannot load the CA file \(caFile)")
            }
            SSL_CTX_set_verify(context, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nil)
        }
        if !alpn.isEmpty {
            if alpnWire == nil { alpnWire = ALPN.wireList(alpn, lengthPrefixed: true) }
            copenssl_ctx_set_alpn(context, alpnWire)
        }
    }

    /// A TLS session for an accepted socket.
    package func makeServerSession(fd: Int32) throws -> TransportSecuritySession {
        try prepare()
        return try TLSSession(context: context!, fd: fd, isServer: true)
    }

    /// Not a client context: throws.
    package func makeClientSession(fd: Int32, serverName: String) throws -> TransportSecuritySession {
        throw TLSError("a TLSServerContext cannot make client connections; use TLSClientContext")
    }
}

/// The TLS settings of outgoing connections (`AsyncTcpConnection` with `transport = "ssl"`, `wss://`):
/// by default the server's certificate is verified against the system's CAs and must name the host
/// connected to; the host name is sent with SNI.
public final class TLSClientContext: TransportSecurityProvider {
    /// Checks the server's certificate (turn off only for tests and trusted networks).
    public let verifyPeer: Bool
    /// CA certificates to trust instead of the system's.
    public let caFile: String?
    /// A client certificate chain and key, for servers that ask for one.
    public let certificateChain: String?
    /// The client certificate's key.
    public let privateKey: String?
    private var context: OpaquePointer?

    /// Client settings; `caFile` replaces the system's CAs when given.
    public init(
        verifyPeer: Bool = true, caFile: String? = nil, certificateChain: String? = nil, privateKey: String? = nil
    ) {
        self.verifyPeer = verifyPeer
        self.caFile = caFile
        self.certificateChain = certificateChain
        self.privateKey = privateKey
    }

    deinit {
        if let context { SSL_CTX_free(context) }
    }

    /// Loads the CA list and the client certificate (once).
    package func prepare() throws {
        guard context == nil else { return }
        guard let fresh = SSL_CTX_new(TLS_client_method()) else { throw TLSError.fromQueue("SSL_CTX_new") }
        _ = copenssl_ctx_set_mode(fresh, copenssl_mode_partial_write())
        _ = copenssl_ctx_set_min_version(fresh, copenssl_tls1_2_version())
        if verifyPeer {
            let loaded =
                caFile.map { SSL_CTX_load_verify_locations(fresh, $0, nil) } ?? SSL_CTX_set_default_verify_paths(fresh)
            guard loaded == 1 else {
                SSL_CTX_free(fresh)
                throw TLSError.fromQueue("cannot load CA certificates \(caFile ?? "(system)")")
            }
            SSL_CTX_set_verify(fresh, SSL_VERIFY_PEER, nil)
        }
        if let certificateChain, let privateKey {
            guard SSL_CTX_use_certificate_chain_file(fresh, certificateChain) == 1,
                SSL_CTX_use_PrivateKey_file(fresh, privateKey, SSL_FILETYPE_PEM) == 1
            else {
                SSL_CTX_free(fresh)
                throw TLSError.fromQueue("cannot load the client certificate \(certificateChain)")
            }
        }
        context = fresh
    }

    /// Not a server context: throws.
    package func makeServerSession(fd: Int32) throws -> TransportSecuritySession {
        throw TLSError("a TLSClientContext cannot accept connections; use TLSServerContext")
    }

    /// A TLS session for an outgoing socket to `serverName`.
    package func makeClientSession(fd: Int32, serverName: String) throws -> TransportSecuritySession {
        try prepare()
        let session = try TLSSession(context: context!, fd: fd, isServer: false)
        try session.expect(serverName: serverName, verify: verifyPeer)
        return session
    }
}

/// ALPN protocol lists in OpenSSL's wire format.
enum ALPN {
    /// Each name prefixed by its length; with `lengthPrefixed`, the whole list prefixed by its own
    /// length (one byte). The memory lives as long as the context that uses it.
    static func wireList(_ names: [String], lengthPrefixed: Bool) -> UnsafeMutablePointer<UInt8> {
        var bytes: [UInt8] = []
        for name in names {
            let utf8 = Array(name.utf8.prefix(255))
            bytes.append(UInt8(utf8.count))
            bytes += utf8
        }
        if lengthPrefixed { bytes.insert(UInt8(min(bytes.count, 255)), at: 0) }
        let memory = UnsafeMutablePointer<UInt8>.allocate(capacity: bytes.count)
        memory.initialize(from: bytes, count: bytes.count)
        return memory
    }
}
