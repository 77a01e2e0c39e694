/// Where a Redis server is and how to log in: parsed from a URL.
///
/// - `redis://[user[:password]@]host[:port][/db]` (port 6379 by default; IPv6 as `[::1]`)
/// - `rediss://...`: the same over TLS (the program must link the TLS module, as for https)
/// - `unix:///path/to/redis.sock[?db=N&user=U&password=P]` (also spelled `redis+unix://`)
///
/// A user name or password may be percent-encoded (`%40` for `@`).
public struct RedisEndpoint: Sendable, Equatable, CustomStringConvertible {
    /// The host name or IP address; "" for a unix socket.
    public let host: String
    /// The TCP port; 0 for a unix socket.
    public let port: Int
    /// The unix socket's path, or nil for TCP.
    public let unixPath: String?
    /// True for `rediss://`.
    public let secure: Bool
    /// The ACL user name for AUTH, or nil for the default user.
    public var username: String?
    /// The password for AUTH, or nil to skip AUTH.
    public var password: String?
    /// The database SELECTed after connecting (0 by default).
    public var database: Int

    /// Parses `url`; throws `.badAddress` with the reason.
    public init(url: String) throws(RedisError) {
        func bad(_ why: String) -> RedisError { RedisError(.badAddress, "\(why) in Redis URL \(url)") }
        guard let colon = url.firstIndex(of: ":"), url[colon...].hasPrefix("://") else { throw bad("no scheme") }
        let scheme = url[..<colon].lowercased()
        var rest = String(url[url.index(colon, offsetBy: 3)...])
        var query: [String: String] = [:]
        if let mark = rest.firstIndex(of: "?") {
            for item in rest[rest.index(after: mark)...].split(separator: "&") {
                let parts = item.split(separator: "=", maxSplits: 1)
                query[String(parts[0])] = parts.count > 1 ? Self.percentDecoded(parts[1]) : ""
            }
            rest = String(rest[..<mark])
        }
        username = query["user"] ?? query["username"]
        password = query["password"]
        database = 0
        if let db = query["db"] {
            guard let number = Int(db), number >= 0 else { throw bad("bad database '\(db)'") }
            database = number
        }
        switch scheme {
        case "unix", "redis+unix":
            guard rest.hasPrefix("/") else { throw bad("no socket path") }
            host = ""
            port = 0
            unixPath = rest
            secure = false
            return
        case "redis", "rediss":
            secure = scheme == "rediss"
            unixPath = nil
        default:
            throw bad("unknown scheme '\(scheme)' (redis, rediss, unix)")
        }
        if let at = rest.lastIndex(of: "@") {
            let credentials = rest[..<at]
            rest = String(rest[rest.index(after: at)...])
            if let colon = credentials.firstIndex(of: ":") {
                let user = Self.percentDecoded(credentials[..<colon])
                username = user.isEmpty ? nil : user
                password = Self.percentDecoded(credentials[credentials.index(after: colon)...])
            } else if !credentials.isEmpty {
                password = Self.percentDecoded(credentials)  // redis://secret@host, as redis-cli -u
            }
        }
        if let slash = rest.firstIndex(of: "/") {
            let path = rest[rest.index(after: slash)...]
            if !path.isEmpty {
                guard let number = Int(path), number >= 0 else { throw bad("bad database '\(path)'") }
                database = number
            }
            rest = String(rest[..<slash])
        }
        var hostPart = Substring(rest)
        var portPart: Substring = ""
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else { throw bad("unclosed '['") }
            hostPart = rest[rest.index(after: rest.startIndex)..<close]
            let after = rest[rest.index(after: close)...]
            if after.hasPrefix(":") { portPart = after.dropFirst() }
        } else if let colon = rest.lastIndex(of: ":") {
            hostPart = rest[..<colon]
            portPart = rest[rest.index(after: colon)...]
        }
        guard !hostPart.isEmpty else { throw bad("no host") }
        host = String(hostPart)
        if portPart.isEmpty {
            port = 6379
        } else {
            guard let number = Int(portPart), (1...65535).contains(number) else { throw bad("bad port '\(portPart)'") }
            port = number
        }
    }

    /// A TCP endpoint without credentials (over TLS when `secure`).
    public init(host: String, port: Int = 6379, secure: Bool = false) {
        self.host = host
        self.port = port
        unixPath = nil
        self.secure = secure
        database = 0
    }

    /// The address for `AsyncTcpConnection`: `tcp://`, `ssl://` or `unix://`.
    var connectionAddress: String {
        if let unixPath { return "unix://" + unixPath }
        let hostText = host.contains(":") ? "[\(host)]" : host
        return "\(secure ? "ssl" : "tcp")://\(hostText):\(port)"
    }

    /// The address without credentials, for logs and errors.
    public var description: String {
        if let unixPath { return "unix://" + unixPath }
        return "\(secure ? "rediss" : "redis")://\(host.contains(":") ? "[\(host)]" : host):\(port)"
    }

    private static func percentDecoded(_ text: Substring) -> String {
        var bytes: [UInt8] = []
        var index = text.utf8.startIndex
        let utf8 = text.utf8
        while index < utf8.endIndex {
            let byte = utf8[index]
            if byte == UInt8(ascii: "%"), let high = utf8.index(index, offsetBy: 1, limitedBy: utf8.endIndex),
                let low = utf8.index(index, offsetBy: 2, limitedBy: utf8.endIndex), low < utf8.endIndex,
                let value = UInt8(String(decoding: [utf8[high], utf8[low]], as: UTF8.self), radix: 16)
            {
                bytes.append(value)
                index = utf8.index(after: low)
            } else {
                bytes.append(byte)
                index = utf8.index(after: index)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// How a client behaves: timeouts, queue bound, reconnect backoff, reply limit, RESP version.
public struct RedisOptions: Sendable {
    /// Seconds a command may wait for its reply (counted from when it is queued); past it the
    /// command fails with `.timeout` and the connection is closed and reopened. Blocking commands
    /// take their own timeout argument.
    public var commandTimeout: Double = 5
    /// Seconds a connection attempt may take before it is abandoned and retried.
    public var connectTimeout: Double = 5
    /// Commands kept while disconnected; when full, a new command fails at once with `.queueFull`.
    public var maxQueuedCommands = 10_000
    /// Waits before successive reconnect attempts; the last one repeats.
    public var reconnectDelays: [Double] = [0.05, 0.1, 0.2, 0.4, 0.8, 1.6, 2]
    /// The largest reply accepted, in bytes: a larger one fails the pending commands with
    /// `.protocolError` and reconnects (default 64 MiB).
    public var maxReplySize = 64 * 1024 * 1024
    /// 2 (RESP2, the default, any Redis) or 3 (RESP3 through `HELLO 3`, Redis 6 and later).
    public var protocolVersion = 2
    /// A name set with `CLIENT SETNAME` on each connection (shown by `CLIENT LIST`), or nil.
    public var clientName: String?
    /// Seconds a subscriber's connection may stay silent before a `PING` checks that it is alive; a
    /// `PING` unanswered for `commandTimeout` closes the connection, which then reconnects and
    /// subscribes again (a peer that vanished without closing is noticed; default 30; 0: never).
    /// Connections of `RedisClient` need none: each command has its timeout.
    public var keepAliveInterval: Double = 30

    /// The defaults.
    public init() {}
}
