import WorkermanCore

/// A blocking TCP connection that sends and receives `frame` packets (4-byte big-endian length
/// counting itself), for code outside an event loop: connect, send and receive each wait at most
/// `timeout` seconds. The blocking Channel publisher, the blocking GlobalData client and the blocking
/// Gateway client use it (the last also for replies whose length excludes itself, and text lines).
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

    /// Sends `packet` as it is (already framed by the caller).
    package func send(raw packet: ByteBuffer) throws(BlockingSocketError) {
        try socket.send(packet)
    }

    /// Waits for the next frame and returns its payload.
    package func receiveFrame() throws(BlockingSocketError) -> [UInt8] { try receivePacket(lengthCountsItself: true) }

    /// Waits for the next packet of a 4-byte big-endian length and returns what follows the length;
    /// `lengthCountsItself` says whether the length includes its own 4 bytes (`frame`) or not.
    package func receivePacket(lengthCountsItself: Bool) throws(BlockingSocketError) -> [UInt8] {
        while true {
            let announced = received.withReadableBytes { ByteView($0).readInteger(at: 0, as: UInt32.self) }
            if let announced {
                let length = lengthCountsItself ? Int(announced) : Int(announced) + 4
                guard length >= 4 else { throw BlockingSocketError("bad frame length \(announced)") }
                if received.readableBytes >= length {
                    let payload = received.withReadableBytes { Array($0[4..<length]) }
                    received.moveReaderIndex(forwardBy: length)
                    return payload
                }
            }
            try socket.receiveMore(into: &received)
        }
    }

    /// Waits for the next line ("\n"-terminated) and returns it without the line ending.
    package func receiveLine() throws(BlockingSocketError) -> String {
        while true {
            let newline = received.withReadableBytes { ByteView($0).firstIndex(of: UInt8(ascii: "\n")) }
            if let newline {
                var line = received.withReadableBytes { Array($0[0..<newline]) }
                received.moveReaderIndex(forwardBy: newline + 1)
                if line.last == UInt8(ascii: "\r") { line.removeLast() }
                return String(decoding: line, as: UTF8.self)
            }
            try socket.receiveMore(into: &received)
        }
    }
}
