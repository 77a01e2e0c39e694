import Glibc
import WorkermanCore

/// Why a blocking request failed: connect, send, receive, timeout or a closed connection.
package struct BlockingSocketError: Error, CustomStringConvertible {
    package let description: String
    package init(_ description: String) { self.description = description }
}

/// A blocking TCP connection that sends and receives `frame` packets (4-byte big-endian length
/// counting itself), for code outside an event loop: connect, send and receive each wait at most
/// `timeout` seconds. The blocking Channel publisher, the blocking GlobalData client and the blocking
/// Gateway client use it (the last also for replies whose length excludes itself, and text lines).
package final class BlockingFrameSocket {
    private let fd: Int32
    private var received = ByteBuffer(capacity: 4096)

    /// Connects to `host:port` (numeric or a name).
    package init(host: String, port: UInt16, timeout: Double) throws(BlockingSocketError) {
        let address: SocketAddress
        do {
            address = try SocketAddress.resolve(host: host, port: port)
            fd = try Sys.socket(domain: address.family, type: Int32(SOCK_STREAM.rawValue))
        } catch {
            throw BlockingSocketError("connect to \(host):\(port): \(error)")
        }
        do {
            try Self.connect(fd, to: address, timeout: timeout)
        } catch {
            Sys.close(fd)
            throw BlockingSocketError("connect to \(host):\(port): \(error.description)")
        }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
        try? Sys.setOption(fd, level: Int32(IPPROTO_TCP), name: TCP_NODELAY, value: 1)
        var limit = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - Double(Int(timeout))) * 1_000_000))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { Sys.close(fd) }

    private static func connect(_ fd: Int32, to address: SocketAddress, timeout: Double) throws(SyscallError) {
        if try Sys.connect(fd, to: address) { return }
        var waiting = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
        var ready: Int32
        repeat { ready = poll(&waiting, 1, Int32(timeout * 1000)) } while ready < 0 && errno == EINTR
        guard ready > 0 else { throw SyscallError("connect", errno: ETIMEDOUT) }
        let failure = Sys.pendingError(fd)
        if failure != 0 { throw SyscallError("connect", errno: failure) }
    }

    /// Sends `payload` as one frame.
    package func send(frame payload: ByteBuffer) throws(BlockingSocketError) {
        var packet = ByteBuffer(capacity: payload.readableBytes + 4)
        packet.writeInteger(UInt32(payload.readableBytes + 4))
        packet.writeBuffer(payload)
        try send(raw: packet)
    }

    /// Sends `packet` as it is (already framed by the caller).
    package func send(raw packet: ByteBuffer) throws(BlockingSocketError) {
        let failure: Int32? = packet.withReadableBytes { bytes in
            var offset = 0
            while offset < bytes.count {
                let sent = Glibc.send(fd, bytes.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL))
                if sent < 0 && errno == EINTR { continue }
                guard sent > 0 else { return errno }
                offset += sent
            }
            return nil
        }
        if let failure { throw BlockingSocketError(Self.reason("send", failure)) }
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
            try receiveMore()
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
            try receiveMore()
        }
    }

    private func receiveMore() throws(BlockingSocketError) {
        received.compact()
        let fd = self.fd
        var failure: Int32 = 0
        let count = received.writeWithUnsafeMutableBytes(minimumWritable: 64 * 1024) { space in
            var count: Int
            repeat { count = recv(fd, space.baseAddress, space.count, 0) } while count < 0 && errno == EINTR
            if count < 0 { failure = errno }
            return max(count, 0)
        }
        if failure != 0 { throw BlockingSocketError(Self.reason("receive", failure)) }
        if count == 0 { throw BlockingSocketError("the server closed the connection") }
    }

    private static func reason(_ action: String, _ code: Int32) -> String {
        code == EAGAIN || code == EWOULDBLOCK ? "\(action) timed out" : SyscallError(action, errno: code).description
    }
}
