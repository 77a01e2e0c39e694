import Glibc

/// An IPv4, IPv6 or unix-domain socket address, as the kernel takes it.
public struct SocketAddress: CustomStringConvertible {
    /// An IPv4 address (the usual peer) is kept inline in 6 bytes; IPv6 and unix addresses in a box.
    /// Every connection keeps its peer's address, so this is 9 bytes where a `sockaddr_storage` is 132.
    private enum Stored {
        /// The address and the port, both in network byte order.
        case ipv4(address: in_addr_t, port: in_port_t)
        case boxed(Box)
    }

    private final class Box {
        let storage: sockaddr_storage
        let length: socklen_t

        init(_ storage: sockaddr_storage, _ length: socklen_t) {
            self.storage = storage
            self.length = length
        }
    }

    private let stored: Stored

    init(storage: sockaddr_storage, length: socklen_t) {
        if Int32(storage.ss_family) == AF_INET && Int(length) >= MemoryLayout<sockaddr_in>.size {
            let address = withUnsafeBytes(of: storage) { $0.load(as: sockaddr_in.self) }
            stored = .ipv4(address: address.sin_addr.s_addr, port: address.sin_port)
        } else {
            stored = .boxed(Box(storage, length))
        }
    }

    /// The address as the kernel takes it.
    private var storage: sockaddr_storage {
        switch stored {
        case .ipv4(let address, let port):
            var storage = sockaddr_storage()
            withUnsafeMutableBytes(of: &storage) { raw in
                var v4 = sockaddr_in()
                v4.sin_family = sa_family_t(AF_INET)
                v4.sin_port = port
                v4.sin_addr.s_addr = address
                raw.storeBytes(of: v4, as: sockaddr_in.self)
            }
            return storage
        case .boxed(let box): return box.storage
        }
    }

    /// The length of `storage` that holds the address.
    private var length: socklen_t {
        switch stored {
        case .ipv4: return socklen_t(MemoryLayout<sockaddr_in>.size)
        case .boxed(let box): return box.length
        }
    }

    /// The address family: AF_INET, AF_INET6 or AF_UNIX.
    public var family: Int32 {
        switch stored {
        case .ipv4: return AF_INET
        case .boxed(let box): return Int32(box.storage.ss_family)
        }
    }

    /// True for AF_UNIX addresses.
    public var isUnix: Bool { family == AF_UNIX }

    /// An IP address in numeric form ("127.0.0.1", "::1") and a port, with no name lookup.
    /// Returns nil when `host` is not a numeric address.
    public init?(ip host: String, port: UInt16) {
        var storage = sockaddr_storage()
        var v4 = in_addr()
        var v6 = in6_addr()
        if inet_pton(AF_INET, host, &v4) == 1 {
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = port.bigEndian
            address.sin_addr = v4
            withUnsafeBytes(of: address) { bytes in
                withUnsafeMutableBytes(of: &storage) { $0.copyMemory(from: bytes) }
            }
            self.init(storage: storage, length: socklen_t(MemoryLayout<sockaddr_in>.size))
        } else if inet_pton(AF_INET6, host, &v6) == 1 {
            var address = sockaddr_in6()
            address.sin6_family = sa_family_t(AF_INET6)
            address.sin6_port = port.bigEndian
            address.sin6_addr = v6
            withUnsafeBytes(of: address) { bytes in
                withUnsafeMutableBytes(of: &storage) { $0.copyMemory(from: bytes) }
            }
            self.init(storage: storage, length: socklen_t(MemoryLayout<sockaddr_in6>.size))
        } else {
            return nil
        }
    }

    /// A unix-domain socket path; nil when the path is too long for sockaddr_un.
    public init?(unixPath path: String) {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { return nil }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        var storage = sockaddr_storage()
        withUnsafeBytes(of: address) { source in
            withUnsafeMutableBytes(of: &storage) { $0.copyMemory(from: source) }
        }
        let pathOffset = MemoryLayout<sockaddr_un>.offset(of: \.sun_path)!
        self.init(storage: storage, length: socklen_t(pathOffset + bytes.count + 1))
    }

    /// Resolves `host` (a numeric address or a name) to its first address of a stream or datagram
    /// socket. Name lookups block on getaddrinfo: do them before a loop runs, or accept the stall.
    public static func resolve(host: String, port: UInt16, datagram: Bool = false) throws(AddressError) -> SocketAddress
    {
        let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        if let numeric = SocketAddress(ip: bare, port: port) { return numeric }
        var hints = addrinfo()
        hints.ai_socktype = Int32(datagram ? SOCK_DGRAM.rawValue : SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(bare, String(port), &hints, &list)
        guard status == 0, let first = list else {
            throw AddressError("cannot resolve host '\(host)': \(String(cString: gai_strerror(status)))")
        }
        defer { freeaddrinfo(list) }
        var storage = sockaddr_storage()
        withUnsafeMutableBytes(of: &storage) { target in
            target.copyMemory(
                from: UnsafeRawBufferPointer(start: first.pointee.ai_addr, count: Int(first.pointee.ai_addrlen)))
        }
        return SocketAddress(storage: storage, length: first.pointee.ai_addrlen)
    }

    /// The numeric IP ("127.0.0.1", "::1"), or the path for a unix address.
    public var ip: String {
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        return withUnsafeBytes(of: storage) { raw -> String in
            switch family {
            case AF_INET:
                var address = raw.load(as: sockaddr_in.self).sin_addr
                inet_ntop(AF_INET, &address, &text, socklen_t(text.count))
            case AF_INET6:
                var address = raw.load(as: sockaddr_in6.self).sin6_addr
                inet_ntop(AF_INET6, &address, &text, socklen_t(text.count))
            case AF_UNIX:
                return path ?? ""
            default:
                return ""
            }
            return text.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        }
    }

    /// The port (0 for unix addresses).
    public var port: UInt16 {
        withUnsafeBytes(of: storage) { raw in
            switch family {
            case AF_INET: return UInt16(bigEndian: raw.load(as: sockaddr_in.self).sin_port)
            case AF_INET6: return UInt16(bigEndian: raw.load(as: sockaddr_in6.self).sin6_port)
            default: return 0
            }
        }
    }

    /// The filesystem path of a unix address.
    public var path: String? {
        guard family == AF_UNIX else { return nil }
        let offset = MemoryLayout<sockaddr_un>.offset(of: \.sun_path)!
        let count = Int(length) - offset
        guard count > 0 else { return "" }
        return withUnsafeBytes(of: storage) { raw in
            let bytes = raw[offset..<(offset + count)].prefix { $0 != 0 }
            return String(decoding: bytes, as: UTF8.self)
        }
    }

    /// "127.0.0.1:8080", "[::1]:8080" or the unix path.
    public var description: String {
        switch family {
        case AF_INET6: return "[\(ip)]:\(port)"
        case AF_UNIX: return path ?? ""
        default: return "\(ip):\(port)"
        }
    }

    func withSockAddr<R, E: Error>(_ body: (UnsafePointer<sockaddr>, socklen_t) throws(E) -> R) throws(E) -> R {
        var copy = storage
        let length = self.length
        return try withUnsafePointer(to: &copy) { pointer throws(E) in
            try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address throws(E) in
                try body(address, length)
            }
        }
    }
}

/// A listen or connect address that cannot be used, with the reason in words.
public struct AddressError: Error, CustomStringConvertible, Equatable {
    /// What is wrong, e.g. "port 70000 is out of range in tcp://0.0.0.0:70000".
    public let description: String

    /// An error with the given words.
    public init(_ description: String) { self.description = description }
}
