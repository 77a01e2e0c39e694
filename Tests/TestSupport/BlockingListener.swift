import Glibc

/// A plain blocking listening socket on 127.0.0.1 for tests that need an independent server.
public final class BlockingListener: @unchecked Sendable {
    public let fd: Int32
    public let port: Int

    /// Listens on an ephemeral port with an accept queue of `backlog` (Linux drops SYNs once more
    /// than `backlog` connections wait to be accepted).
    public init(backlog: Int32 = 128) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.fd = fd
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        inet_pton(AF_INET, "127.0.0.1", &address.sin_addr)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer -> Bool in
                bind(fd, pointer, length) == 0 && listen(fd, backlog) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        guard bound else { throw BlockingClient.Failure("cannot listen: errno \(errno)") }
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    /// Accepts one connection, waiting at most `timeout` seconds.
    public func accept(timeout: Double = 5) throws -> BlockingClient {
        var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&poller, 1, Int32(timeout * 1000)) == 1 else {
            throw BlockingClient.Failure("no connection to accept")
        }
        let client = Glibc.accept(fd, nil, nil)
        guard client >= 0 else { throw BlockingClient.Failure("accept: errno \(errno)") }
        return BlockingClient(adopting: client, timeout: timeout)
    }

    public func close() { Glibc.close(fd) }
    deinit { Glibc.close(fd) }
}

extension BlockingClient {
    /// Wraps an accepted socket.
    public convenience init(adopting fd: Int32, timeout: Double) {
        self.init(fd: fd, timeout: timeout)
    }
}
