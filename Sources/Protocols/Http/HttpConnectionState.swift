import Timer
import WorkerCore

/// What the Http protocol keeps on a connection (in `Connection.protocolState`): the request being
/// received, the requests answered in order, an open response stream, and the clock for timeouts.
final class HttpConnectionState {
    /// What encoding a response needs to know about the request it answers.
    struct PendingRequest {
        var isHead: Bool
        var keepAlive: Bool
        var isHttp10: Bool
    }

    /// A response still being written after its head: chunks, events or a file.
    enum Stream {
        /// Chunked transfer coding; `Chunk`s follow, an empty one ends it.
        case chunked(keepAlive: Bool)
        /// The body runs until the connection closes (SSE, or chunks to an HTTP/1.0 client).
        case untilClose
        /// A file being copied by a `FileStreamer`.
        case file(FileStreamer)
    }

    /// The head of the request being received, once it is complete.
    var head: HttpRequestHead?
    /// Where to resume looking for the end of the head.
    var headSearchFrom = 0
    var chunkedScanner = ChunkedBodyScanner()
    var sentContinue = false
    /// The body of the current request while it streams in (over `Http.uploadMemoryLimit`).
    var streamedBody: StreamedBody?
    /// Set once a request was refused: the error reply is on its way and the connection closing.
    var rejected: HttpError?
    /// Requests delivered to the application and not answered yet, oldest first.
    var pending: [PendingRequest] = []
    var stream: Stream?
    /// The `Set-Cookie` of a session started for a request, for the next response written.
    var sessionCookie: SetCookie?
    /// When the connection last finished a response or opened (monotonic ns).
    var idleSince = MonotonicClock.now()
    /// When the first byte of the current request head arrived; 0 when none has.
    var headStartedAt: UInt64 = 0
    /// `bytesRead` and time at the last sweep while a body was arriving.
    var bodyProgress: (bytes: Int, at: UInt64) = (0, 0)

    /// The state of `connection`, made on first use.
    static func of(_ connection: Connection) -> HttpConnectionState {
        if let state = connection.protocolState as? HttpConnectionState { return state }
        let state = HttpConnectionState()
        connection.protocolState = state
        return state
    }

    /// Forgets the request just cut, ready for the next.
    func requestCut() {
        head = nil
        headSearchFrom = 0
        chunkedScanner = ChunkedBodyScanner()
        sentContinue = false
        streamedBody = nil
        headStartedAt = 0
    }

    /// True when nothing is being received, answered or streamed.
    var isIdle: Bool { head == nil && headStartedAt == 0 && pending.isEmpty && stream == nil }

    /// Marks the end of a response: idle from now on if nothing else is pending.
    func responseFinished() {
        idleSince = MonotonicClock.now()
    }
}
