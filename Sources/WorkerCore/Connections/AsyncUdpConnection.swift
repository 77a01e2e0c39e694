import Glibc

/// A UDP client: sends datagrams to one address and receives its replies (`udp://host:port`,
/// or `text://host:port` etc. with `transport = "udp"` semantics: any registered protocol frames
/// the datagrams).
///
/// ```swift
/// let client = try AsyncUdpConnection("udp://127.0.0.1:9090")
/// client.onConnect = { $0.send("hello") }
/// client.onMessage = { _, data in print(data) }
/// client.connect()
/// ```
public final class AsyncUdpConnection: Connection, EventHandler {
    /// The parsed address.
    public let target: ListenAddress
    /// Called with each datagram's decoded packets.
    public var onMessage: ((AsyncUdpConnection, Message) -> Void)?
    /// Called once the socket is ready (at once: UDP has no handshake).
    public var onConnect: ((AsyncUdpConnection) -> Void)?
    /// Called when `close` runs.
    public var onClose: ((AsyncUdpConnection) -> Void)?
    private var fd: Int32 = -1
    private var peer: SocketAddress?
    private let loop = EventLoop.current
    private var wire: (any StatefulWireProtocol.Type)?

    /// A UDP client for `address`; the scheme is "udp" or a registered protocol's name.
    public init(_ address: String) throws(AddressError) {
        target = try ListenAddress(address)
        var wire: (any StatefulWireProtocol.Type)?
        if target.scheme != "udp" {
            guard let registered = ProtocolRegistry.lookup(target.scheme) else {
                throw AddressError("unknown protocol '\(target.scheme)' in \(address)")
            }
            wire = registered
        }
        self.wire = wire
        super.init()
    }

    /// The protocol that frames the datagrams; nil for raw bytes.
    public override var `protocol`: (any StatefulWireProtocol.Type)? {
        get { wire }
        set { wire = newValue }
    }

    /// The server's address.
    public override var remoteAddress: SocketAddress? { peer }
    /// The local address the socket got.
    public override var localAddress: SocketAddress? { fd >= 0 ? Sys.localAddress(fd) : nil }

    /// Opens the socket and runs `onConnect`; throws when the address cannot be resolved or used.
    public func connect() throws {
        let address = try SocketAddress.resolve(host: target.host, port: target.port, datagram: true)
        peer = address
        fd = try Sys.socket(domain: address.family, type: Int32(SOCK_DGRAM.rawValue))
        _ = try Sys.connect(fd, to: address)
        try loop.register(fd, self, interest: .read)
        onConnect?(self)
    }

    /// Sends one datagram (encoded with the protocol unless `raw`).
    @discardableResult
    public override func send(_ message: Message, raw: Bool = false) -> SendResult {
        guard fd >= 0 else { return .failed }
        var buffer = ByteBuffer(capacity: message.sizeHint)
        do {
            try encodeDatagram(message, raw: raw, into: &buffer)
            let result = try buffer.withReadableBytes { bytes throws(SyscallError) in try Sys.send(fd, bytes) }
            guard case .processed = result else { return .failed }
            return .written
        } catch {
            return .failed
        }
    }

    /// Sends `data` if given, closes the socket and runs `onClose`.
    public override func close(_ data: Message? = nil, raw: Bool = false) {
        guard fd >= 0 else { return }
        if let data { send(data, raw: raw) }
        loop.deregister(fd)
        Sys.close(fd)
        fd = -1
        onClose?(self)
        onClose = nil
        onMessage = nil
        onConnect = nil
    }

    func handleReadable() {
        let shared = loop.readBuffer
        while fd >= 0, case .processed(let (count, _)) = (try? Sys.receive(fd, shared)) ?? .wouldBlock {
            deliverDatagram(ByteView(UnsafeRawBufferPointer(rebasing: shared[0..<count]))) { message in
                onMessage?(self, message)
            }
        }
    }
}
