import Foundation
import Glibc

/// A plain blocking socket client for tests: the independent peer that talks the wire protocol
/// to a server under test. Every call is bounded by `timeout`.
public final class BlockingClient: @unchecked Sendable {
    public let fd: Int32
    public let timeout: Double

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
        public init(_ description: String) { self.description = description }
    }

    init(fd: Int32, timeout: Double) {
        self.fd = fd
        self.timeout = timeout
        Self.setTimeouts(fd, timeout)
    }

    /// Disables Nagle's algorithm so that every `send` leaves as its own segment.
    public func setNoDelay() {
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
    }

    /// Connects to 127.0.0.1 (or `host`, numeric) on `port`.
    public init(port: Int, host: String = "127.0.0.1", timeout: Double = 5) throws {
        self.timeout = timeout
        let v6 = host.contains(":")
        fd = socket(v6 ? AF_INET6 : AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure("socket: \(errno)") }
        Self.setTimeouts(fd, timeout)
        var result: Int32
        if v6 {
            var address = sockaddr_in6()
            address.sin6_family = sa_family_t(AF_INET6)
            address.sin6_port = UInt16(port).bigEndian
            inet_pton(AF_INET6, host, &address.sin6_addr)
            result = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size))
                }
            }
        } else {
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = UInt16(port).bigEndian
            inet_pton(AF_INET, host, &address.sin_addr)
            result = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
        }
        guard result == 0 else {
            let code = errno
            Glibc.close(fd)
            throw Failure("connect to \(host):\(port): \(String(cString: strerror(code)))")
        }
    }

    /// Connects to the unix socket at `path`.
    public init(unixPath path: String, timeout: Double = 5) throws {
        self.timeout = timeout
        fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        Self.setTimeouts(fd, timeout)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            let bytes = Array(path.utf8)
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard result == 0 else {
            Glibc.close(fd)
            throw Failure("connect to \(path): errno \(errno)")
        }
    }

    private static func setTimeouts(_ fd: Int32, _ timeout: Double) {
        var value = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - floor(timeout)) * 1_000_000))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &value, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &value, socklen_t(MemoryLayout<timeval>.size))
    }

    /// Sets the receive buffer size (before connecting data arrives), to make the server's
    /// writes back up sooner.
    public func setReceiveBuffer(_ bytes: Int32) {
        var value = bytes
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &value, socklen_t(MemoryLayout<Int32>.size))
    }

    /// Sends all of `bytes`.
    public func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes {
                Glibc.send(fd, $0.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL))
            }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw Failure("send failed: errno \(errno)") }
            offset += n
        }
    }

    /// Sends the UTF-8 of `text`.
    public func send(_ text: String) throws { try send(Array(text.utf8)) }

    /// Reads whatever arrives next (up to `max` bytes); empty at end of file.
    public func receiveSome(max: Int = 65536) throws -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: max)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, max, 0) }
            if n < 0 && errno == EINTR { continue }
            if n < 0 { throw Failure(errno == EAGAIN ? "timed out waiting for data" : "recv failed: errno \(errno)") }
            return Array(buffer[0..<n])
        }
    }

    /// Reads exactly `count` bytes.
    public func receive(count: Int) throws -> [UInt8] {
        var result: [UInt8] = []
        while result.count < count {
            let chunk = try receiveSome(max: min(65536, count - result.count))
            guard !chunk.isEmpty else { throw Failure("end of file after \(result.count) of \(count) bytes") }
            result += chunk
        }
        return result
    }

    /// Reads until `text` has arrived (or more), and returns everything read.
    public func receive(untilSuffix suffix: String) throws -> String {
        var result: [UInt8] = []
        let wanted = Array(suffix.utf8)
        while !(result.count >= wanted.count && Array(result.suffix(wanted.count)) == wanted) {
            let chunk = try receiveSome()
            guard !chunk.isEmpty else {
                throw Failure("end of file before '\(suffix)', got \(String(decoding: result, as: UTF8.self))")
            }
            result += chunk
        }
        return String(decoding: result, as: UTF8.self)
    }

    /// Reads until the peer closes; returns the bytes and whether it ended by reset rather than FIN.
    public func receiveUntilClosed(limit: Int = 1 << 30) throws -> (bytes: Int, reset: Bool) {
        var total = 0
        var buffer = [UInt8](repeating: 0, count: 65536)
        while total < limit {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, 65536, 0) }
            if n < 0 && errno == EINTR { continue }
            if n < 0 && errno == ECONNRESET { return (total, true) }
            if n < 0 { throw Failure("recv failed: errno \(errno) after \(total) bytes") }
            if n == 0 { return (total, false) }
            total += n
        }
        return (total, false)
    }

    /// Everything until the peer closes, as text.
    public func receiveAll() throws -> String {
        var result: [UInt8] = []
        while true {
            let chunk = try receiveSome()
            if chunk.isEmpty { return String(decoding: result, as: UTF8.self) }
            result += chunk
        }
    }

    /// Half-closes: sends FIN, keeps reading.
    public func shutdownWrite() { shutdown(fd, Int32(SHUT_WR)) }

    /// Closes with a reset (SO_LINGER 0) instead of a FIN.
    public func reset() {
        var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
        Glibc.close(fd)
    }

    /// Closes normally.
    public func close() { Glibc.close(fd) }
}

/// A UDP socket for tests.
public final class DatagramClient: @unchecked Sendable {
    public let fd: Int32

    public init(port: Int, timeout: Double = 5) {
        fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        var value = timeval(tv_sec: Int(timeout), tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &value, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        inet_pton(AF_INET, "127.0.0.1", &address.sin_addr)
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
    }

    public func send(_ text: String) {
        _ = Array(text.utf8).withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, 0) }
    }

    public func receive() throws -> String {
        var buffer = [UInt8](repeating: 0, count: 65536)
        let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, 65536, 0) }
        guard n >= 0 else { throw BlockingClient.Failure("no datagram: errno \(errno)") }
        return String(decoding: buffer[0..<n], as: UTF8.self)
    }

    deinit { Glibc.close(fd) }
}
