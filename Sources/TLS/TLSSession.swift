import CWorkermanOpenSSL
import Glibc
import WorkermanCore

/// One connection's TLS state over a nonblocking socket: OpenSSL's SSL object, driven by the
/// connection's event handlers.
final class TLSSession: TransportSecuritySession {
    private let ssl: OpaquePointer
    private let isServer: Bool
    private var isShutDown = false
    private(set) var wantsWrite = false

    init(context: OpaquePointer, fd: Int32, isServer: Bool) throws {
        guard let ssl = SSL_new(context) else { throw TLSError.fromQueue("SSL_new") }
        self.ssl = ssl
        self.isServer = isServer
        guard SSL_set_fd(ssl, fd) == 1 else { throw TLSError.fromQueue("SSL_set_fd") }
        if isServer { SSL_set_accept_state(ssl) } else { SSL_set_connect_state(ssl) }
    }

    /// Sets the name the client asks for (SNI) and, with verification on, the name or address the
    /// server's certificate must carry.
    func expect(serverName: String, verify: Bool) throws {
        let isAddress = SocketAddress(ip: serverName, port: 0) != nil
        if !isAddress { _ = copenssl_set_host_name(ssl, serverName) }
        guard verify else { return }
        let parameters = SSL_get0_param(ssl)
        let accepted =
            isAddress ? X509_VERIFY_PARAM_set1_ip_asc(parameters, serverName) : SSL_set1_host(ssl, serverName)
        guard accepted == 1 else { throw TLSError.fromQueue("cannot verify against '\(serverName)'") }
    }

    deinit { SSL_free(ssl) }

    func handshake() throws -> Bool {
        ERR_clear_error()
        let result = SSL_do_handshake(ssl)
        if result == 1 { return true }
        switch SSL_get_error(ssl, result) {
        case SSL_ERROR_WANT_READ:
            wantsWrite = false
            return false
        case SSL_ERROR_WANT_WRITE:
            wantsWrite = true
            return false
        default:
            throw failure("handshake", result)
        }
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> IOResult<Int> {
        ERR_clear_error()
        return try outcome(of: SSL_read(ssl, buffer.baseAddress, Int32(clamping: buffer.count)), "read")
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws -> IOResult<Int> {
        guard !bytes.isEmpty else { return .processed(0) }
        ERR_clear_error()
        return try outcome(of: SSL_write(ssl, bytes.baseAddress, Int32(clamping: bytes.count)), "write")
    }

    /// What an SSL_read or SSL_write result means: bytes moved, the peer closed (0), or a wait for
    /// the socket (recording whether for writing).
    private func outcome(of result: Int32, _ what: String) throws -> IOResult<Int> {
        if result > 0 { return .processed(Int(result)) }
        switch SSL_get_error(ssl, result) {
        case SSL_ERROR_WANT_READ:
            wantsWrite = false
            return .wouldBlock
        case SSL_ERROR_WANT_WRITE:
            wantsWrite = true
            return .wouldBlock
        case SSL_ERROR_ZERO_RETURN:
            return .processed(0)  // the peer's close_notify
        case SSL_ERROR_SYSCALL where ERR_peek_error() == 0 && what == "read":
            return .processed(0)  // the peer closed the socket without close_notify
        default:
            throw failure(what, result)
        }
    }

    var hasBufferedInput: Bool { SSL_pending(ssl) > 0 }

    func shutdown() {
        guard !isShutDown else { return }
        isShutDown = true
        ERR_clear_error()
        _ = SSL_shutdown(ssl)
    }

    private func failure(_ what: String, _ result: Int32) -> TLSError {
        let code = SSL_get_error(ssl, result)
        if code == SSL_ERROR_SYSCALL && ERR_peek_error() == 0 {
            return TLSError("\(what): \(String(cString: strerror(errno)))")
        }
        let verify = SSL_get_verify_result(ssl)
        if verify != X509_V_OK, let text = X509_verify_cert_error_string(verify) {
            return TLSError("\(what): certificate verify failed: \(String(cString: text))")
        }
        return TLSError.fromQueue(what)
    }
}
