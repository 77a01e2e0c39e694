import WorkermanProtocols

/// A Lua script for `RedisClient.evaluate`: its source and the SHA-1 that `EVALSHA` names it by.
public struct RedisScript: Sendable, Hashable {
    /// The Lua source.
    public let source: String
    /// The lowercase hex SHA-1 of the source, as `SCRIPT LOAD` answers.
    public let sha1: String

    /// A script with `source`.
    public init(_ source: String) {
        self.source = source
        sha1 = SHA1.digest(Array(source.utf8)).map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }
}
