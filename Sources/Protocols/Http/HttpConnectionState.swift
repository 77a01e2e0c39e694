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

    /// The requests awaiting answers, oldest first, as seen through their state: the first is kept in
    /// the state itself (`firstPending`, one byte), the others in its `Extras` (made when a client
    /// pipelines), so that an idle connection holds no array.
    struct PendingRequests {
        unowned(unsafe) let state: HttpConnectionState

        var isEmpty: Bool { state.firstPending == 0 }

        func append(_ request: PendingRequest) {
            if state.firstPending == 0 {
                state.firstPending = Self.encode(request)
            } else {
                state.madeExtras.pending.append(request)
            }
        }

        /// Puts `request` back at the front.
        func prepend(_ request: PendingRequest) {
            if state.firstPending != 0 { state.madeExtras.pending.insert(Self.decode(state.firstPending), at: 0) }
            state.firstPending = Self.encode(request)
        }

        /// The oldest request, removed.
        func removeFirst() -> PendingRequest {
            let oldest = Self.decode(state.firstPending)
            if let extras = state.extras, !extras.pending.isEmpty {
                state.firstPending = Self.encode(extras.pending.removeFirst())
            } else {
                state.firstPending = 0
            }
            return oldest
        }

        /// A request as a nonzero byte: bit 0 present, then isHead, keepAlive, isHttp10.
        private static func encode(_ request: PendingRequest) -> UInt8 {
            1 | (request.isHead ? 2 : 0) | (request.keepAlive ? 4 : 0) | (request.isHttp10 ? 8 : 0)
        }

        private static func decode(_ bits: UInt8) -> PendingRequest {
            PendingRequest(isHead: bits & 2 != 0, keepAlive: bits & 4 != 0, isHttp10: bits & 8 != 0)
        }
    }

    /// The state's flags, in one byte.
    struct Flags: OptionSet {
        let rawValue: UInt8
        static let sentContinue = Flags(rawValue: 1)
        static let leaving = Flags(rawValue: 2)
        static let awaitsFirstRequest = Flags(rawValue: 4)
        static let headStarted = Flags(rawValue: 8)
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
    /// The clock of the phase the connection is in (monotonic ns): while a request head comes in
    /// pieces (`.headStarted`), when its first byte arrived; while idle, when the connection opened
    /// or the deadline sweep first saw it idle after its last response; 0 from a response's end
    /// until that sweep (no clock read per response).
    @exclusivity(unchecked) var since: UInt64 = 0
    /// The connection, held weakly: the connection's `Request`s reach it through their state.
    @exclusivity(unchecked) weak var connection: Connection?
    /// The settings of the connection's Worker (fresh defaults for a connection without one).
    let settings: HttpSettings
    /// What only some connections need (see `Extras`); nil until one of them is needed.
    @exclusivity(unchecked) private var extras: Extras?
    /// Where to resume looking for the end of the head.
    @exclusivity(unchecked) var headSearchFrom: Int32 = 0
    /// The oldest request not answered yet (see `PendingRequests`); 0 when none is.
    @exclusivity(unchecked) private var firstPending: UInt8 = 0
    @exclusivity(unchecked) private var flags: Flags = [.awaitsFirstRequest]

    /// Requests delivered to the application and not answered yet, oldest first.
    var pending: PendingRequests { PendingRequests(state: self) }
    /// A flag of the state: `.sentContinue` once `100 Continue` was sent for the request being
    /// received; `.leaving` once the worker began leaving; `.awaitsFirstRequest` from the
    /// connection's start until its first response (the first head is due `headerTimeout` seconds
    /// after the start, not `keepAliveTimeout`); `.headStarted` while a request head comes in pieces.
    subscript(flag flag: Flags) -> Bool {
        get { flags.contains(flag) }
        set { if newValue { flags.insert(flag) } else { flags.remove(flag) } }
    }
    /// Set once the worker began leaving: the next response closes the connection.
    var leaving: Bool {
        get { self[flag: .leaving] }
        set { self[flag: .leaving] = newValue }
    }

    /// The parts of the state that a connection needs only for a chunked or streamed body, a
    /// refusal, a streamed response, a session cookie or a leaving worker: kept out of the state so
    /// that an idle connection's is small.
    private final class Extras {
        /// Measures a chunked body while it may still come as one packet with its head.
        @exclusivity(unchecked) var chunkedDecoder: ChunkedDecoder?
        @exclusivity(unchecked) var streamedBody: StreamedBody?
        @exclusivity(unchecked) var rejected: HttpError?
        @exclusivity(unchecked) var stream: Stream?
        @exclusivity(unchecked) var sessionCookie: SetCookie?
        @exclusivity(unchecked) var bodyProgress: (bytes: Int, at: UInt64) = (0, 0)
        @exclusivity(unchecked) var leftAt: UInt64 = 0
        /// The requests awaiting answers after the first (see `PendingRequests`).
        @exclusivity(unchecked) var pending: [PendingRequest] = []
    }

    /// `extras`, made now if it was not yet.
    private var madeExtras: Extras {
        if let extras { return extras }
        let made = Extras()
        extras = made
        return made
    }

    /// Measures a chunked body while it may still come as one packet with its head.
    var chunkedDecoder: ChunkedDecoder {
        get { extras?.chunkedDecoder ?? ChunkedDecoder(settings: settings) }
        _modify {
            let extras = madeExtras
            if extras.chunkedDecoder == nil { extras.chunkedDecoder = ChunkedDecoder(settings: settings) }
            yield &extras.chunkedDecoder!
        }
    }
    /// The body of the current request while it streams in (over `settings.uploadMemoryLimit`).
    var streamedBody: StreamedBody? {
        get { extras?.streamedBody }
        set { if newValue != nil || extras != nil { madeExtras.streamedBody = newValue } }
    }
    /// Set once a request was refused: the error reply is on its way and the connection closing.
    var rejected: HttpError? {
        get { extras?.rejected }
        set { if newValue != nil || extras != nil { madeExtras.rejected = newValue } }
    }
    /// A response being written after its head.
    var stream: Stream? {
        get { extras?.stream }
        set { if newValue != nil || extras != nil { madeExtras.stream = newValue } }
    }
    /// The `Set-Cookie` of a session started for a request, for the next response written.
    var sessionCookie: SetCookie? {
        get { extras?.sessionCookie }
        set { if newValue != nil || extras != nil { madeExtras.sessionCookie = newValue } }
    }
    /// True when a session cookie waits for the next response (no copy of it is made to find out).
    var hasSessionCookie: Bool { extras?.sessionCookie != nil }
    /// `bytesRead` and time at the start of the current window while a body arrives (see `bodyTimeout`).
    var bodyProgress: (bytes: Int, at: UInt64) {
        get { extras?.bodyProgress ?? (0, 0) }
        set { madeExtras.bodyProgress = newValue }
    }
    /// When the worker began leaving (monotonic ns); 0 before.
    var leftAt: UInt64 {
        get { extras?.leftAt ?? 0 }
        set { madeExtras.leftAt = newValue }
    }

    init(_ connection: Connection, settings: HttpSettings) {
        self.connection = connection
        self.settings = settings
    }

    /// Forgets the request just cut, ready for the next.
    func requestCut() {
        head = nil
        headSearchFrom = 0
        self[flag: .sentContinue] = false
        self[flag: .headStarted] = false
        guard let extras else { return }
        if extras.chunkedDecoder != nil { extras.chunkedDecoder = ChunkedDecoder(settings: settings) }
        extras.streamedBody = nil
        extras.bodyProgress = (0, 0)
    }

    /// True when nothing is being received, answered or streamed.
    var isIdle: Bool { head == nil && !self[flag: .headStarted] && pending.isEmpty && stream == nil }

    /// The connection is established: the first request is awaited from now on.
    func connectionOpened() {
        since = MonotonicClock.now()
        self[flag: .awaitsFirstRequest] = true
    }

    /// Marks the end of a response: idle from now on if nothing else is pending (the deadline sweep
    /// notes the time when it first sees it so).
    func responseFinished() {
        since = 0
        self[flag: .awaitsFirstRequest] = false
    }
}
