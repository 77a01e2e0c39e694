/// Why a GlobalData call failed.
public struct GlobalDataError: Error, CustomStringConvertible {
    /// What went wrong.
    public enum Kind: Sendable {
        /// The server could not be reached, or the connection broke before the reply.
        case connection
        /// The server refused the request, or replied with something this client cannot read.
        case protocolError
        /// No reply within the client's timeout (a frozen or overloaded server); the connection
        /// was closed and the next call opens a new one.
        case timeout
        /// `increment` on a value that is not a number (nothing changed).
        case notANumber
        /// `increment` past `Int64.max` or below `Int64.min` (nothing changed).
        case overflow
    }

    /// What went wrong.
    public let kind: Kind
    /// The details, for logs.
    public let description: String

    /// An error of `kind` with `description`.
    public init(_ kind: Kind, _ description: String) {
        self.kind = kind
        self.description = description
    }
}

extension GlobalDataError.Kind {
    /// The error reply code the server sends for a refusal of this kind (see `GlobalDataRequest`).
    var replyCode: Int64 {
        switch self {
        case .notANumber: return 2
        case .overflow: return 3
        default: return 1
        }
    }

    /// The kind of an error reply code.
    init(replyCode: Int) {
        switch replyCode {
        case 2: self = .notANumber
        case 3: self = .overflow
        default: self = .protocolError
        }
    }
}
