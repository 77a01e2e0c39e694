/// Per-process counters that `status` reports (Workerman's `ConnectionInterface::$statistics`).
/// Each is used by the process's one thread, and skips run-time exclusivity checks: every update is
/// one instantaneous increment.
public enum ConnectionStatistics {
    /// Connections open now in this process (accepted and outgoing).
    @exclusivity(unchecked) nonisolated(unsafe) public package(set) static var connectionCount = 0
    /// Packets received and handed to `onMessage` since the process started.
    public static var totalRequest: Int { receivedPackets }
    @usableFromInline @exclusivity(unchecked) nonisolated(unsafe) static var receivedPackets = 0
    /// Sends that failed: dropped on a full buffer or written to a closed peer.
    @exclusivity(unchecked) nonisolated(unsafe) public package(set) static var sendFail = 0
    /// Exceptions thrown by decoders.
    @exclusivity(unchecked) nonisolated(unsafe) public package(set) static var throwException = 0

    /// Counts a packet received (for the protocols' inlinable packet loop).
    @inlinable
    static func countRequest() { receivedPackets &+= 1 }

    /// Counts a packet whose decoder threw (for the protocols' inlinable packet loop).
    @usableFromInline
    static func countDecodeFailure() { throwException += 1 }
}

/// The codes `onError` receives, with Workerman's numbers.
public enum ConnectionErrorCode: Int, Sendable {
    /// An outgoing connection could not be made (`WORKERMAN_CONNECT_FAIL`).
    case connectFail = 1
    /// A send failed: the peer is gone, or the send buffer was full and the data dropped
    /// (`WORKERMAN_SEND_FAIL`).
    case sendFail = 2
}

/// Workerman's name for `ConnectionErrorCode.connectFail`.
public let WORKERMAN_CONNECT_FAIL = ConnectionErrorCode.connectFail
/// Workerman's name for `ConnectionErrorCode.sendFail`.
public let WORKERMAN_SEND_FAIL = ConnectionErrorCode.sendFail

/// What `send` did with the data (Workerman's `true` / `null` / `false`).
public enum SendResult: Equatable, Sendable {
    /// Handed to the kernel's socket buffer (not a proof that the peer got it).
    case written
    /// Kept in the connection's send buffer, to be written when the socket can take it.
    case queued
    /// Not sent: the connection is closing or closed, or the send buffer was full.
    case failed
}
