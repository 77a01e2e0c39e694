/// A Worker that cannot start, with the reason in one line (e.g. "cannot listen on
/// tcp://0.0.0.0:80: bind: Permission denied").
public struct WorkerError: Error, CustomStringConvertible {
    /// The reason.
    public let description: String

    /// An error with the given reason.
    public init(_ description: String) { self.description = description }
}
