import WorkermanCore

/// A blocking TCP connection that sends and receives `frame` packets (4-byte big-endian length
/// counting itself), for code outside an event loop: connect, send and receive each wait at most
/// `timeout` seconds. The blocking Channel publisher and the blocking GlobalData client use it.
package final class BlockingFrameSocket {
    private let socket: BlockingStreamSocket
    private var received = ByteBuffer(capacity: 4096)

    /// Connects to `host:port` (numeric or a name).
    package init(host: String, port: UInt16, timeout: Double) throws(BlockingSocketError) {
        socket = try BlockingStreamSocket(host: host, port: port, timeout: timeout)
    }

    /// Sends `payload` as one frame.
    package func send(frame payload: ByteBuffer) throws(BlockingSocketError) {
        var packet = ByteBuffer(capacity: payload.readableBytes + 4)
        packet.writeInteger(UInt32(payload.readableBytes + 4))
        packet.writeBuffer(payload)
        try socket.send(packet)
    }

    /// Waits for the next frame and returns its payload.
    package func receiveFrame() throws(BlockingSocketError) -> [UInt8] {
        while true {
            let length = received.withReadableBytes { ByteView($0).readInteger(at: 0, as: UInt32.self) }
            if let length {
                guard length >= 4 else { throw BlockingSocketError("bad frame length \(length)") }
                if received.readableBytes >= Int(length) {
                    let payload = received.withReadableBytes { Array($0[4..<Int(length)]) }
                    received.moveReaderIndex(forwardBy: Int(length))
                    return payload
                }
            }
            try socket.receiveMore(into: &received)
        }
    }
}
