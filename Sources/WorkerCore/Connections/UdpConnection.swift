import Glibc

/// The sender of one datagram to a `udp://` Worker: reply to it with `send`.
///
/// There is no connection in UDP, so there is no `onConnect` or `onClose`; each datagram gets a
/// fresh `UdpConnection`. With a protocol, a datagram may carry several packets, each delivered.
public final class UdpConnection: Connection {
    let socket: Int32
    let peer: SocketAddress
    private var wire: (any StatefulWireProtocol.Type)?

    init(socket: Int32, peer: SocketAddress, protocol: (any StatefulWireProtocol.Type)?) {
        self.socket = socket
        self.peer = peer
        wire = `protocol`
        super.init()
    }

    /// The protocol of the datagram's packets; nil for raw bytes.
    public override var `protocol`: (any StatefulWireProtocol.Type)? {
        get { wire }
        set { wire = newValue }
    }

    /// The sender's address.
    public override var remoteAddress: SocketAddress? { peer }
    /// The local address of the listening socket.
    public override var localAddress: SocketAddress? { Sys.localAddress(socket) }

    /// Sends one datagram back to the sender: `.written`, or `.failed` when the kernel refuses it.
    @discardableResult
    public override func send(_ message: Message, raw: Bool = false) -> SendResult {
        var buffer = ByteBuffer(capacity: message.sizeHint)
        do {
            try encodeDatagram(message, raw: raw, into: &buffer)
            let result = try buffer.withReadableBytes { bytes throws(SyscallError) in
                try Sys.send(socket, bytes, to: peer)
            }
            guard case .processed = result else { return .failed }
            return .written
        } catch {
            ConnectionStatistics.sendFail += 1
            return .failed
        }
    }

    /// Sends `data` if given; there is nothing else to close.
    public override func close(_ data: Message? = nil, raw: Bool = false) {
        if let data { send(data, raw: raw) }
    }
}

extension Connection {
    /// Encodes `message` for one datagram: raw, or with the protocol (which keeps no state between
    /// datagrams).
    func encodeDatagram(_ message: Message, raw: Bool, into buffer: inout ByteBuffer) throws {
        guard let wire = self.protocol, !raw else {
            message.writeRaw(into: &buffer)
            return
        }
        try wire.encodeOnce(message, connection: self, into: &buffer)
    }

    /// Delivers every packet of one datagram to `handler`: with a protocol, packets are cut with
    /// `input` as on a stream (an incomplete tail is dropped: a datagram never continues); without
    /// one, the datagram is the message.
    func deliverDatagram(_ datagram: ByteView, to handler: (Message) -> Void) {
        guard let wire = self.protocol else {
            ConnectionStatistics.receivedPackets += 1  // the datagram is the request, as Workerman counts it
            handler(.binary(datagram.bytes))
            return
        }
        wire.deliverDatagram(datagram, connection: self, to: handler)
    }
}
