import CWorkermanOpenSSL

/// An OpenSSL failure, with OpenSSL's reasons in words.
public struct TLSError: Error, CustomStringConvertible {
    /// What failed and why, in one line.
    public let description: String

    /// An error with the given words.
    public init(_ description: String) { self.description = description }

    /// `what` followed by the reasons on OpenSSL's error queue (which it empties).
    static func fromQueue(_ what: String) -> TLSError {
        var reasons: [String] = []
        while case let code = ERR_get_error(), code != 0 {
            var text = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &text, text.count)
            reasons.append(text.withUnsafeBufferPointer { String(cString: $0.baseAddress!) })
        }
        return TLSError(reasons.isEmpty ? what : "\(what): \(reasons.joined(separator: "; "))")
    }
}
