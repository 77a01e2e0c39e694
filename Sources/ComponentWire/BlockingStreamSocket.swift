import Glibc
import WorkermanCore

/// Why a blocking request failed: connect, send, receive, timeout or a closed connection.
package struct BlockingSocketError: Error, CustomStringConvertible {
    package let description: String
    package init(_ description: String) { self.description = description }
}

/// A blocking stream socket (TCP or unix) for code outside an event loop: connect, send and
/// receive each wait at most `timeout` seconds. Under the blocking frame socket (Channel and
/// GlobalData) and the blocking Redis client.
package final class BlockingStreamSocket {
    private let fd: Int32

    /// Connects to `address`; `name` is what errors call it.
    package init(address: SocketAddress, name: String, timeout: Double) throws(BlockingSocketError) {
        do {
            fd = try Sys.socket(domain: address.family, type: Int32(SOCK_STREAM.rawValue))
        } catch {
            throw BlockingSocketError("connect to \(name): \(error)")
        }
        do {
            try Self.connect(fd, to: address, timeout: timeout)
        } catch {
            Sys.close(fd)
            throw BlockingSocketError("connect to \(name): \(error.description)")
        }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
        if address.family != AF_UNIX { try? Sys.setOption(fd, level: Int32(IPPROTO_TCP), name: TCP_NODELAY, value: 1) }
        var limit = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - Double(Int(timeout))) * 1_000_000))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
    }

    /// Connects to `host:port` (numeric or a name).
    package convenience init(host: String, port: UInt16, timeout: Double) throws(BlockingSocketError) {
        let address: SocketAddress
        do {
            address = try SocketAddress.resolve(host: host, port: port)
        } catch {
            throw BlockingSocketError("connect to \(host):\(port): \(error)")
        }
        try self.init(address: address, name: "\(host):\(port)", timeout: timeout)
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

    /// Sends every readable byte of `bytes`.
    package func send(_ bytes: ByteBuffer) throws(BlockingSocketError) {
        let failure: Int32? = bytes.withReadableBytes { bytes in
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

    /// Waits for more bytes and appends them to `buffer`.
    package func receiveMore(into buffer: inout ByteBuffer) throws(BlockingSocketError) {
        buffer.compact()
        let fd = self.fd
        var failure: Int32 = 0
        let count = buffer.writeWithUnsafeMutableBytes(minimumWritable: 64 * 1024) { space in
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
