/// Why a request was refused: the status the client gets and a reason for the log.
public struct HttpError: Error, Equatable, CustomStringConvertible {
    /// The response status: 400, 408, 413, 431, 501 or 505.
    public let status: Int
    /// What was wrong, in words.
    public let reason: String

    /// An error with `status` and `reason`.
    public init(_ status: Int, _ reason: String) {
        self.status = status
        self.reason = reason
    }

    /// "400 Bad Request: reason".
    public var description: String { "\(status) \(HttpStatus.reason(for: status)): \(reason)" }
}
