import WorkermanCore

/// How an `http://` Worker treats its requests: limits, timeouts, uploads, sessions, and the typed
/// request handler. Each Worker has its own (`worker.http`), read by each connection it accepts, so
/// two HTTP Workers of one process can differ.
///
/// ```swift
/// let api = Worker("http://0.0.0.0:8080")
/// api.http.maxBodySize = 64 * 1024
/// api.http.headerTimeout = 10
/// api.http.session.name = "APISID"
/// ```
///
/// Its properties are `@exclusivity(unchecked)`: the protocol reads some on every request (the
/// runtime's dynamic exclusivity check costs more than the read), on the process's one thread, and
/// never while one of them is being modified.
public final class HttpSettings: WorkerSettings {
    /// The largest request head (request line and header fields) accepted: 16 KiB, as Workerman.
    @exclusivity(unchecked) public var maxHeaderSize = 16 * 1024
    /// Seconds an idle keep-alive connection is kept open after its last response (default 60; 0: forever).
    @exclusivity(unchecked) public var keepAliveTimeout: Double = 60
    /// Seconds a client has to send a whole request head, counted from its first byte, or from the
    /// connection's start for its first request (default 30; 0: forever).
    @exclusivity(unchecked) public var headerTimeout: Double = 30
    /// The window, in seconds, over which a request body's pace is judged: in each window of this
    /// length at least `bodyMinimumRate` × `bodyTimeout` bytes (and at least one) must arrive, else
    /// 408 (default 30; 0: no limit). A slow trickle is cut; a large upload at a real rate is not.
    @exclusivity(unchecked) public var bodyTimeout: Double = 30
    /// The slowest pace, in bytes per second, a request body may keep over each `bodyTimeout` window
    /// (default 500, as Apache's mod_reqtimeout; 0: only a byte per window is required).
    @exclusivity(unchecked) public var bodyMinimumRate = 500
    /// The most uploaded files one multipart request yields; more are ignored (Workerman: 1024).
    @exclusivity(unchecked) public var maxFileUploads = 1024
    /// Bodies and uploaded files larger than this many bytes are written to a temporary file (default 1 MiB).
    @exclusivity(unchecked) public var uploadMemoryLimit = 1024 * 1024
    /// The largest request body accepted, streamed to disk past `uploadMemoryLimit` (default 1 GiB);
    /// a larger Content-Length is answered 413 before any of the body is read, a chunked body as soon
    /// as a chunk size takes its payload past it.
    @exclusivity(unchecked) public var maxBodySize = 1 << 30
    /// Where large uploads are written (default "/tmp"); the files are removed with their Request.
    @exclusivity(unchecked) public var uploadDirectory = "/tmp"
    /// The `Server` header added to responses that have none; "" adds none.
    @exclusivity(unchecked) public var serverName = "workerman"
    /// The sessions of this Worker's requests (`request.session`).
    @exclusivity(unchecked) public var session = SessionSettings()
    /// Runs with each request (set by `worker.onRequest`); when nil, `onMessage` gets `.object(Request)`.
    @exclusivity(unchecked) public var onRequest: ((TcpConnection, Request) -> Void)?

    /// The defaults.
    public init() {}
}

extension Worker {
    /// This Worker's HTTP settings: `worker.http.maxBodySize = 1 << 20`.
    public var http: HttpSettings { settings(HttpSettings.self) }
}
