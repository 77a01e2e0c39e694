/// A security layer between a connection's socket and its protocol: TLS. WorkerCore knows only this
/// contract; the TLS module implements it on the system's OpenSSL.
///
/// Every call is nonblocking. A call that cannot finish reports `.wouldBlock` and says, through
/// `wantsWrite`, whether it waits for the socket to become writable rather than readable.
package protocol TransportSecuritySession: AnyObject {
    /// Advances the handshake; true once it is complete. Throws when it fails (the reason is logged).
    func handshake() throws -> Bool
    /// Decrypts into `buffer`: `.processed(n)` with n > 0 bytes, `.processed(0)` when the peer closed,
    /// `.wouldBlock` when more encrypted bytes are needed.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> IOResult<Int>
    /// Encrypts and sends from `bytes`: `.processed(n)` bytes taken, or `.wouldBlock`.
    func write(_ bytes: UnsafeRawBufferPointer) throws -> IOResult<Int>
    /// True when the last call that reported `.wouldBlock` waits for the socket to be writable.
    var wantsWrite: Bool { get }
    /// True when decrypted bytes are waiting inside the layer (epoll cannot see them).
    var hasBufferedInput: Bool { get }
    /// Says goodbye to the peer (a close_notify), as far as that is possible without blocking.
    func shutdown()
}

/// What `worker.tls` and `connection.tls` hold: a TLS context of the WorkermanTLS module
/// (`TLSServerContext`, `TLSClientContext`). Opaque to programs; WorkerCore drives it through the
/// package's `TransportSecurityProvider`.
public protocol TransportSecurityContext: AnyObject {}

/// Makes the security layer of each new connection: a TLS server context for a Worker, a TLS
/// client context for an `AsyncTcpConnection`.
package protocol TransportSecurityProvider: TransportSecurityContext {
    /// Loads what the context needs (certificate and key files) and checks it; throws with a
    /// one-line reason. Called before a Worker starts, so a bad path fails `start`.
    func prepare() throws
    /// A layer for the accepted socket `fd`.
    func makeServerSession(fd: Int32) throws -> TransportSecuritySession
    /// A layer for the outgoing socket `fd`, talking to `serverName` (for SNI and verification).
    func makeClientSession(fd: Int32, serverName: String) throws -> TransportSecuritySession
}

extension TransportSecurityContext {
    /// This context as WorkerCore drives it; throws when it is not one of the package's contexts.
    package func provider() throws(WorkerError) -> any TransportSecurityProvider {
        guard let provider = self as? any TransportSecurityProvider else {
            throw WorkerError(
                "\(type(of: self)) is not a TLS context: use WorkermanTLS's TLSServerContext or TLSClientContext")
        }
        return provider
    }
}
