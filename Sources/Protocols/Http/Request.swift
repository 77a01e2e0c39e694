import WorkermanCore

/// One HTTP request, as `worker.onRequest` receives it (or `onMessage`, as `.object(Request)`).
///
/// Workerman's `Request` with Swift types: `get("id")` is `$request->get('id')`, `post`, `header`,
/// `cookie`, `file`, `method()`, `path()`, `uri()`, `host()`, `rawBody()`. Query, form and cookie
/// values are parsed on first use.
public final class Request {
    /// The head's bytes, from the request line to the empty line that ends it: `method`, `uri`,
    /// `protocolVersion` and `headers` are decoded from them when first asked for (the parser
    /// checked them all), so a request nobody reads makes no Strings. A head of up to
    /// `inlineCapacity` bytes is kept in the object itself (`inlineHead`); a longer one in a block
    /// of its own (`headBlock`, freed by `deinit`).
    private let inlineHead: InlineHead
    private let headBlock: UnsafeMutableRawBufferPointer?
    /// The storage of a short head: 96 bytes, room for a head with a few short fields.
    private typealias InlineHead = (
        UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64
    )
    private static var inlineCapacity: Int { MemoryLayout<InlineHead>.size }
    /// Where the parts are in the head's bytes, with the framing and connection flags.
    private let head: HttpRequestHead
    /// The body, with any chunked framing removed; empty when the body was streamed to disk (see
    /// `bodyFile`) or was a streamed `multipart/form-data` body (see `form` and `files`).
    public let rawBody: [UInt8]
    /// The size of the body in bytes, wherever it is.
    public let bodySize: Int
    /// The state of the connection it came on, which holds the connection weakly and the Worker's
    /// settings (one reference for both).
    let state: HttpConnectionState
    /// What is decoded on first use, and what only some requests have (see `Extras`); nil until one
    /// of them is needed, so that the common request is made and freed with few stores.
    @exclusivity(unchecked) private var storedExtras: Extras?

    /// The parts of a request made on first use or only for some requests, in one object.
    private final class Extras {
        @exclusivity(unchecked) var uri: String?
        @exclusivity(unchecked) var headers: HttpHeaders?
        @exclusivity(unchecked) var targetParts: (path: String, query: String)?
        @exclusivity(unchecked) var query: FormParameters?
        @exclusivity(unchecked) var cookies: [String: String]?
        @exclusivity(unchecked) var parsedForm: (fields: FormParameters, files: [UploadedFile])?
        @exclusivity(unchecked) var streamedForm: (fields: FormParameters, files: [UploadedFile])?
        @exclusivity(unchecked) var storedBody: TemporaryFile?
        @exclusivity(unchecked) var trailers: HttpHeaders?
        @exclusivity(unchecked) var startedSession: Session?
    }

    /// The request whose head is `headBytes` (from its request line on; `head` parsed it), with
    /// its body: in memory, in `bodyFile`, or already parsed into `form` when it streamed.
    init(
        head: HttpRequestHead, headBytes: ByteView, body: [UInt8], bodySize: Int, bodyFile: TemporaryFile? = nil,
        form: (FormParameters, [UploadedFile])? = nil, trailers: HttpHeaders? = nil, state: HttpConnectionState
    ) {
        self.head = head
        var inline: InlineHead = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        if headBytes.count <= Self.inlineCapacity {
            withUnsafeMutableBytes(of: &inline) { $0.copyMemory(from: headBytes.buffer) }
            headBlock = nil
        } else {
            let block = UnsafeMutableRawBufferPointer.allocate(byteCount: headBytes.count, alignment: 1)
            block.copyMemory(from: headBytes.buffer)
            headBlock = block
        }
        inlineHead = inline
        rawBody = body
        self.bodySize = bodySize
        self.state = state
        if bodyFile != nil || form != nil || trailers != nil {
            let extras = self.extras
            extras.storedBody = bodyFile
            extras.streamedForm = form
            extras.trailers = trailers
        }
    }

    deinit { headBlock?.deallocate() }

    /// Calls `body` with the head's bytes (from the request line on).
    private func withHeadBytes<T>(_ body: (ByteView) -> T) -> T {
        let count = head.length - head.start
        if let headBlock { return body(ByteView(UnsafeRawBufferPointer(headBlock))) }
        return withUnsafeBytes(of: inlineHead) { body(ByteView(UnsafeRawBufferPointer(rebasing: $0[0..<count]))) }
    }

    /// `storedExtras`, made now if it was not yet.
    private var extras: Extras {
        if let extras = storedExtras { return extras }
        let extras = Extras()
        storedExtras = extras
        return extras
    }

    /// The bytes of the head from `start` to `end` (counted from the request line), decoded with `decode`.
    private func decodePart<T>(_ start: Int32, _ end: Int32, _ decode: (ByteView) -> T) -> T {
        withHeadBytes { decode($0.slice(Int(start)..<Int(end))) }
    }

    /// The method, as sent ("GET", "POST", ...; case-sensitive).
    /// (A literal for GET, POST and HEAD; others are decoded each time, and fit a small String.)
    public var method: String { decodePart(0, head.methodEnd) { HttpHeadParser.string($0, commonIn: .method) } }
    /// The request target as sent: "/path?query" (or an absolute URI, or "*").
    public var uri: String {
        if head.targetEnd - head.targetStart == 1 && withHeadBytes({ $0[Int(head.targetStart)] }) == UInt8(ascii: "/") {
            return "/"
        }
        if let uri = storedExtras?.uri { return uri }
        let uri = decodePart(head.targetStart, head.targetEnd) { $0.string }
        extras.uri = uri
        return uri
    }
    /// The HTTP version: "1.1" or "1.0".
    public var protocolVersion: String {
        head.isHttp11 ? "1.1" : head.isHttp10 ? "1.0" : "1.\(head.minorVersion)"
    }
    /// The header fields.
    public var headers: HttpHeaders {
        if let headers = storedExtras?.headers { return headers }
        let headers = withHeadBytes { head.headers(in: $0) }
        extras.headers = headers
        return headers
    }
    /// The trailer fields of a chunked request (Workerman's `trailer()`); empty otherwise.
    public var trailers: HttpHeaders { storedExtras?.trailers ?? HttpHeaders() }
    /// The connection the request came on (nil once it is gone: the reference is weak).
    public var connection: Connection? { state.connection }
    /// The settings of the Worker that received it (sessions, upload limits).
    var settings: HttpSettings { state.settings }
    /// True when the client wants the connection kept open after the response.
    public var keepAlive: Bool { head.keepAlive }
    /// The session, once `session` started it.
    var startedSession: Session? {
        get { storedExtras?.startedSession }
        set { extras.startedSession = newValue }
    }

    private var targetParts: (path: String, query: String) {
        if let parts = storedExtras?.targetParts { return parts }
        let parts = uri == "/" ? ("/", "") : Self.split(uri)
        extras.targetParts = parts
        return parts
    }
    private var parsedForm: (fields: FormParameters, files: [UploadedFile]) {
        if let form = storedExtras?.parsedForm { return form }
        let form = storedExtras?.streamedForm ?? parseBody()
        extras.parsedForm = form
        return form
    }
    private var storedBody: TemporaryFile? { storedExtras?.storedBody }

    /// The path, without the query string; percent-encoding is kept ("/a%20b").
    public var path: String { targetParts.path }
    /// The query string, without "?" ("" when there is none).
    public var queryString: String { targetParts.query }
    /// The decoded query parameters (PHP's `$_GET`).
    public var query: FormParameters {
        if let query = storedExtras?.query { return query }
        let query = FormParameters(parsing: queryString)
        extras.query = query
        return query
    }
    /// The cookies, by name (PHP's `$_COOKIE`).
    public var cookies: [String: String] {
        if let cookies = storedExtras?.cookies { return cookies }
        let cookies = CookieParser.parse(headers)
        extras.cookies = cookies
        return cookies
    }
    /// The body's fields for `application/x-www-form-urlencoded` and `multipart/form-data` (PHP's `$_POST`).
    public var form: FormParameters { parsedForm.fields }
    /// The uploaded files of a `multipart/form-data` body (PHP's `$_FILES`).
    public var files: [UploadedFile] { parsedForm.files }

    /// A query parameter (`$request->get('name')`).
    public func get(_ name: String) -> String? { query[name] }
    /// A form field (`$request->post('name')`).
    public func post(_ name: String) -> String? { form[name] }
    /// A header, any case of the name (`$request->header('name')`).
    public func header(_ name: String) -> String? { headers[name] }
    /// A cookie (`$request->cookie('name')`).
    public func cookie(_ name: String) -> String? { cookies[name] }
    /// The first uploaded file of the field `name` (`$request->file('name')`).
    public func file(_ name: String) -> UploadedFile? { files.first { $0.fieldName == name } }
    /// A trailer field of a chunked request (`$request->trailer('name')`).
    public func trailer(_ name: String) -> String? { trailers[name] }

    /// The Host header ("example.com:8080"), or nil.
    public var host: String? { headers["Host"] }
    /// The Host header without its port ("example.com", "[::1]").
    public var hostName: String? {
        guard let host else { return nil }
        if host.hasPrefix("["), let end = host.firstIndex(of: "]") { return String(host[...end]) }
        guard let colon = host.firstIndex(of: ":") else { return host }
        return String(host[..<colon])
    }
    /// The temporary file holding a body that was too large for memory (over `worker.http.uploadMemoryLimit`
    /// and not `multipart/form-data`), removed with this Request; nil when the body is in `rawBody`.
    public var bodyFile: String? { storedBody?.path }

    /// Calls `body` with the request body front to back, in blocks of up to 64 KiB, from memory or
    /// from `bodyFile`; false when the file could not be read.
    @discardableResult
    public func forEachBodyBlock(_ body: (UnsafeRawBufferPointer) -> Void) -> Bool {
        guard let storedBody else {
            rawBody.withUnsafeBytes(body)
            return true
        }
        return storedBody.forEachBlock(body)
    }

    /// The body as UTF-8 text (invalid sequences become U+FFFD).
    public var body: String { String(decoding: rawBody, as: UTF8.self) }
    /// The media type of the body, lower-cased, without parameters ("application/json").
    public var contentType: String? {
        headers["Content-Type"].map { HttpText.lowercased(HttpText.trimmed($0.prefix { $0 != ";" })) }
    }
    /// True when the body is JSON (`application/json` or `+json`); read it from `rawBody`.
    public var isJSON: Bool {
        guard let type = contentType else { return false }
        return type == "application/json" || type.hasSuffix("+json")
    }
    /// The client's IP address.
    public var remoteIp: String { connection?.getRemoteIp() ?? "" }
    /// The client's port.
    public var remotePort: Int { connection?.getRemotePort() ?? 0 }

    private static func split(_ target: String) -> (String, String) {
        var path = Substring(target)
        let lower = HttpText.lowercased(target.prefix(8))
        if lower.hasPrefix("http://") || lower.hasPrefix("https://") {
            let afterScheme = path[path.index(path.firstIndex(of: ":")!, offsetBy: 3)...]
            path = afterScheme.firstIndex(where: { $0 == "/" || $0 == "?" }).map { afterScheme[$0...] } ?? "/"
            if path.first == "?" { path = "/" + path }
        }
        guard let question = path.firstIndex(of: "?") else { return (String(path), "") }
        return (String(path[..<question]), String(path[path.index(after: question)...]))
    }

    private func parseBody() -> (FormParameters, [UploadedFile]) {
        guard !rawBody.isEmpty, let type = contentType else { return (FormParameters(), []) }
        if type == "application/x-www-form-urlencoded" {
            return (FormParameters(parsing: body), [])
        }
        if type == "multipart/form-data", let boundary = MultipartParser.boundary(of: headers["Content-Type"]!) {
            return MultipartParser.parse(rawBody, boundary: boundary, settings: settings)
        }
        return (FormParameters(), [])
    }
}

extension Request: CustomStringConvertible {
    /// "GET /path HTTP/1.1".
    public var description: String { "\(method) \(uri) HTTP/\(protocolVersion)" }
}
