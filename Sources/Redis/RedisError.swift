/// Why a Redis command failed: what its completion gets, what the blocking client throws.
public struct RedisError: Error, CustomStringConvertible, Equatable, Sendable {
    /// What went wrong.
    public enum Kind: Sendable, Equatable {
        /// Redis answered with an error reply (`ERR ...`, `WRONGTYPE ...`, `NOSCRIPT ...`).
        case server
        /// The connection broke (or was closed) after the command was sent: it may or may not have
        /// run, and it is not sent again.
        case connectionLost
        /// No reply within the command's timeout: the connection was closed and is being reopened.
        case timeout
        /// The client is disconnected and its queue of waiting commands is full.
        case queueFull
        /// Redis sent bytes that are not RESP, or a reply over `RedisOptions.maxReplySize`.
        case protocolError
        /// The reply does not fit the typed helper that was called (an integer where text was expected).
        case unexpectedReply
        /// The address does not parse, or the connection cannot be made (DNS, TLS not linked).
        case badAddress
        /// AUTH, HELLO or SELECT was refused when connecting.
        case handshake
        /// The client was closed by the program.
        case closed
        /// The transaction was aborted because a watched key changed (`EXEC` answered null).
        case transactionAborted
    }

    /// What went wrong.
    public let kind: Kind
    /// The details, for logs (the server's error text for `.server`).
    public let message: String

    /// An error of `kind` with `message`.
    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    /// The error code of a server error: its first word (`ERR`, `WRONGTYPE`, `MOVED`); "" otherwise.
    public var code: String {
        guard kind == .server else { return "" }
        return String(message.prefix { $0 != " " })
    }

    /// "kind: message".
    public var description: String { "Redis \(kind): \(message)" }
}
