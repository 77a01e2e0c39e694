import WorkermanCore
import WorkermanTimer

/// What the Http protocol keeps on a connection (its `State`): the request being received, the
/// requests answered in order, an open response stream, the clock for timeouts, and the Worker's
/// settings. Opaque to applications.
///
/// Its stored properties are `@exclusivity(unchecked)`: they are read and written on every request,
/// and the runtime's dynamic exclusivity checks cost more than the rest of the access. That is safe
/// because a state is only used by the protocol code of this module, on its process's one thread, and
/// that code never holds an inout access to one of them across a call that could touch it again.
public final class HttpConnectionState {
    /// What encoding a response needs to know about the request it answers.
    struct PendingRequest {
        var isHead: Bool
        var keepAlive: Bool
        var isHttp10: Bool
    }

    /// The requests awaiting answers, oldest first: the first kept inline, so that a connection that
    /// is not pipelining keeps no array (an idle connection holds nothing after its last response).
    struct PendingRequests {
        private var first: PendingRequest?
        private var rest: [PendingRequest] = []

        var isEmpty: Bool { first == nil }

        mutating func append(_ request: PendingRequest) {
            if first == nil { first = request } else { rest.append(request) }
        }

        /// Puts `request` back at the front.
        mutating func prepend(_ request: PendingRequest) {
            if let first { rest.insert(first, at: 0) }
            first = request
        }

        /// The oldest request, removed.
        mutating func removeFirst() -> PendingRequest {
            let oldest = first!
            first = rest.isEmpty ? nil : rest.removeFirst()
            return oldest
        }
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
    @exclusivity(unchecked) var head: HttpRequestHead?
    /// Where to resume looking for the end of the head.
    @exclusivity(unchecked) var headSearchFrom = 0
    /// Measures a chunked body while it may still come as one packet with its head.
    var chunkedDecoder: ChunkedDecoder {
        get { chunked?.decoder ?? ChunkedDecoder(settings: settings) }
        _modify {
            if chunked == nil { chunked = ChunkedDecoderBox(ChunkedDecoder(settings: settings)) }
            yield &chunked.unsafelyUnwrapped.decoder
        }
    }
    /// The chunked decoder's storage, made for the first chunked request: most connections never
    /// send one, and an idle connection keeps 8 bytes instead of the decoder's 88.
    @exclusivity(unchecked) private var chunked: ChunkedDecoderBox?
    @exclusivity(unchecked) var sentContinue = false
    /// The body of the current request while it streams in (over `settings.uploadMemoryLimit`).
    @exclusivity(unchecked) var streamedBody: StreamedBody?
    /// Set once a request was refused: the error reply is on its way and the connection closing.
    @exclusivity(unchecked) var rejected: HttpError?
    /// Requests delivered to the application and not answered yet, oldest first.
    @exclusivity(unchecked) var pending = PendingRequests()
    @exclusivity(unchecked) var stream: Stream?
    /// The `Set-Cookie` of a session started for a request, for the next response written.
    var sessionCookie: SetCookie? {
        get { sessionCookies.first }
        set { sessionCookies = newValue.map { [$0] } ?? [] }
    }
    /// True when a session cookie waits for the next response (no copy of it is made to find out).
    var hasSessionCookie: Bool { !sessionCookies.isEmpty }
    /// `sessionCookie`'s storage: an empty array is 8 bytes and allocates nothing (a SetCookie is 99).
    @exclusivity(unchecked) private var sessionCookies: [SetCookie] = []
    /// Set once the worker began leaving: the next response closes the connection.
    @exclusivity(unchecked) var leaving = false
    /// When the worker began leaving (monotonic ns); 0 before.
    @exclusivity(unchecked) var leftAt: UInt64 = 0
    /// When the connection last finished a response or opened (monotonic ns).
    @exclusivity(unchecked) var idleSince = MonotonicClock.now()
    /// When the first byte of the current request head arrived; 0 when none has.
    @exclusivity(unchecked) var headStartedAt: UInt64 = 0
    /// `bytesRead` and time at the start of the current window while a body arrives (see `bodyTimeout`).
    @exclusivity(unchecked) var bodyProgress: (bytes: Int, at: UInt64) = (0, 0)

    /// The connection, held weakly, shared by the connection's `Request`s: one weak
    /// reference per connection instead of one made and destroyed per request.
    let connectionReference: WeakConnection
    /// The settings of the connection's Worker (fresh defaults for a connection without one).
    let settings: HttpSettings

    init(_ connection: Connection, settings: HttpSettings) {
        connectionReference = WeakConnection(connection)
        self.settings = settings
    }

    /// Forgets the request just cut, ready for the next.
    func requestCut() {
        head = nil
        headSearchFrom = 0
        if chunked != nil { chunked.unsafelyUnwrapped.decoder = ChunkedDecoder(settings: settings) }
        sentContinue = false
        streamedBody = nil
        headStartedAt = 0
        bodyProgress = (0, 0)
    }

    /// True when nothing is being received, answered or streamed.
    var isIdle: Bool { head == nil && headStartedAt == 0 && pending.isEmpty && stream == nil }

    /// True from the connection's start until its first response: the first request's head is
    /// due `headerTimeout` seconds after the start, not `keepAliveTimeout`.
    @exclusivity(unchecked) var awaitsFirstRequest = true

    /// The connection is established: the first request is awaited from now on.
    func connectionOpened() {
        idleSince = MonotonicClock.now()
        awaitsFirstRequest = true
    }

    /// Marks the end of a response: idle from now on if nothing else is pending.
    func responseFinished() {
        idleSince = MonotonicClock.now()
        awaitsFirstRequest = false
    }
}

/// The chunked decoder of a connection that received a chunked request.
final class ChunkedDecoderBox {
    @exclusivity(unchecked) var decoder: ChunkedDecoder

    init(_ decoder: ChunkedDecoder) { self.decoder = decoder }
}

/// A weak reference to a connection that several objects share (the HTTP state is found through the
/// connection: a weak reference to it too would give every state a side table).
final class WeakConnection {
    weak var connection: Connection?

    init(_ connection: Connection) { self.connection = connection }
}
