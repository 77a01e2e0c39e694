import Glibc

/// What every connection has: an id, its Worker, its protocol, the application's data, `send`,
/// `close` and the addresses. `TcpConnection` (accepted, or outgoing as `AsyncTcpConnection`) and
/// `UdpConnection` (one datagram's sender) are the kinds; each kind's callbacks receive that kind.
public class Connection {
    nonisolated(unsafe) private static var lastID = 0  // one thread per process

    /// A number unique among this process's connections (ids repeat across processes). Yours to
    /// reassign, as Workerman allows.
    @exclusivity(unchecked) public var id: Int
    /// The Worker that accepted the connection; nil for outgoing connections.
    public internal(set) weak var worker: Worker?
    /// The application's data on this connection.
    @exclusivity(unchecked) public var context = ConnectionContext()
    /// The largest packet this connection accepts; a protocol announcing a larger one closes it.
    @exclusivity(unchecked) public final var maxPackageSize = TcpConnection.defaultMaxPackageSize

    init() {
        Connection.lastID += 1
        id = Connection.lastID
    }

    /// The protocol that cuts, decodes and encodes this connection's packets; nil for raw bytes.
    /// It may be changed, e.g. in `onConnect`: the new protocol starts with a fresh state.
    /// (Each kind of connection keeps its protocol its own way: a stream connection's is its
    /// protocol driver's.)
    public var `protocol`: (any StatefulWireProtocol.Type)? {
        get { nil }
        set {}
    }

    /// The peer's address.
    public var remoteAddress: SocketAddress? { nil }
    /// The local address.
    public var localAddress: SocketAddress? { nil }

    /// Encodes `message` with the connection's protocol (unless `raw`) and sends it.
    @discardableResult
    public func send(_ message: Message, raw: Bool = false) -> SendResult { .failed }

    /// Closes the connection after `data` (encoded unless `raw`) and everything queued is written.
    public func close(_ data: Message? = nil, raw: Bool = false) {}

    /// Closes at once without flushing what is queued.
    public func destroy() {}

    /// Stops reading from the connection (no `onMessage` until `resumeRecv`).
    public func pauseRecv() {}

    /// Reads from the connection again after `pauseRecv`.
    public func resumeRecv() {}
}

extension Connection {
    /// Sends `text`, encoded with the connection's protocol unless `raw`.
    @discardableResult
    public func send(_ text: String, raw: Bool = false) -> SendResult { send(.text(text), raw: raw) }

    /// Sends `bytes`, encoded with the connection's protocol unless `raw`.
    @discardableResult
    public func send(_ bytes: [UInt8], raw: Bool = false) -> SendResult { send(.binary(bytes), raw: raw) }

    /// Closes after sending `text`.
    public func close(_ text: String, raw: Bool = false) { close(.text(text), raw: raw) }

    /// The peer's IP address ("127.0.0.1", "::1"), or "" when unknown.
    public func getRemoteIp() -> String { remoteAddress?.ip ?? "" }
    /// The peer's port, or 0 when unknown.
    public func getRemotePort() -> Int { Int(remoteAddress?.port ?? 0) }
    /// The peer's address as "ip:port", for logs (programs read `remoteAddress`).
    package func getRemoteAddress() -> String { remoteAddress?.description ?? "" }
    /// The local IP address.
    package func getLocalIp() -> String { localAddress?.ip ?? "" }
    /// The local port.
    package func getLocalPort() -> Int { Int(localAddress?.port ?? 0) }
    /// The local address as "ip:port".
    package func getLocalAddress() -> String { localAddress?.description ?? "" }
    /// True when the peer is an IPv4 address.
    public func isIpV4() -> Bool { remoteAddress?.family == AF_INET }
    /// True when the peer is an IPv6 address.
    public func isIpV6() -> Bool { remoteAddress?.family == AF_INET6 }
}
