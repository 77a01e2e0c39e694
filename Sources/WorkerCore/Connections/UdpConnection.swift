import Glibc

/// The sender of one datagram to a `udp://` Worker: reply to it with `send`.
///
/// There is no connection in UDP, so there is no `onConnect` or `onClose`; each datagram gets a
/// fresh `UdpConnection`. With a protocol, a datagram may carry several packets, each delivered.
public final class UdpConnection: Connection {
    let socket: Int32
    let peer: SocketAddress

    init(socket: Int32, peer: SocketAddress, protocol: (any WireProtocol.Type)?) {
        self.socket = socket
        self.peer = peer
        super.init(protocol: `protocol`)
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
            if raw || self.protocol == nil {
                message.writeRaw(into: &buffer)
            } else {
                try self.protocol!.encode(message, connection: self, into: &buffer)
            }
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

/// Delivers every packet of one datagram: with a protocol, packets are cut with `input` as on a
/// stream (an incomplete tail is dropped: a datagram never continues); without one, the datagram
/// is the message.
func deliverDatagram(
    _ datagram: ByteView, from connection: Connection, to onMessage: ((Connection, Message) -> Void)?
) {
    guard let wire = connection.protocol else {
        ConnectionStatistics.totalRequest += 1  // the datagram is the request, as Workerman counts it
        onMessage?(connection, .binary(datagram.bytes))
        return
    }
    var offset = 0
    while offset < datagram.count {
        let rest = datagram.dropping(first: offset)
        guard case .packet(let length) = wire.input(rest, connection: connection), length > 0, length <= rest.count
        else {
            return
        }
        offset += length
        ConnectionStatistics.totalRequest += 1
        do {
            if let message = try wire.decode(rest.slice(0..<length), connection: connection) {
                onMessage?(connection, message)
            }
        } catch {
            return  // a datagram that does not decode is dropped
        }
    }
}
