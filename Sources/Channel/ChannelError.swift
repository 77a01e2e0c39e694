/// Why a Channel operation failed: passed to `ChannelClient.onError`, thrown by
/// `BlockingChannelPublisher`.
public struct ChannelError: Error, CustomStringConvertible {
    /// What went wrong.
    public enum Kind: Sendable {
        /// The client is disconnected and its buffer of unsent publishes is full: the publish was dropped.
        case bufferFull
        /// Connecting to the server failed (the client retries with backoff).
        case connectFailed
        /// The connection refused a send (its send buffer is full) or broke while sending.
        case sendFailed
        /// A delivery from the server could not be decoded, or named an event with no callback.
        case badDelivery
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
