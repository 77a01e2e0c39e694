/// Why a GlobalData call failed.
public struct GlobalDataError: Error, CustomStringConvertible {
    /// What went wrong.
    public enum Kind: Sendable {
        /// The server could not be reached, or the connection broke before the reply.
        case connection
        /// The server refused the request, or replied with something this client cannot read.
        case protocolError
    }

    /// What went wrong.
    public let kind: Kind
    /// The details, for logs.
    public let description: String

    init(_ kind: Kind, _ description: String) {
        self.kind = kind
        self.description = description
    }
}
