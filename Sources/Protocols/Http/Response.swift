import Glibc
import WorkermanCore

/// An HTTP response to send with `connection.send(response)`: Workerman's `Response`.
///
/// ```swift
/// connection.send(Response(200, headers: ["Content-Type": "application/json"], body: "{}"))
/// connection.send(Response(404).withBody("gone").cookie("seen", "1", maxAge: 3600, httpOnly: true))
/// connection.send(Response().withFile("/srv/big.iso"))          // streamed from disk
/// ```
/// `Content-Length`, `Connection`, `Date` and `Server` are added when encoding; a body without a
/// `Content-Type` is sent as `text/html;charset=utf-8`. A header name that is not a token, or a
/// value holding CR, LF or NUL, is refused: a 500 goes out instead (no response splitting).
public final class Response {
    /// A file to send as the body: `length` bytes from `offset` (nil: to the end).
    public struct FileBody {
        /// The file's path.
        public var path: String
        /// The first byte to send.
        public var offset: Int
        /// How many bytes to send; nil for the rest of the file.
        public var length: Int?
    }

    // The stored properties are `@exclusivity(unchecked)`: they are read once per send by the
    // encoder and set by the methods below, none of which holds an access across other code, so the
    // run-time exclusivity checks (a third of the cost of reading them) have nothing to catch.

    /// The status code.
    @exclusivity(unchecked) public var status: Int
    /// The reason phrase; nil for the standard one.
    public var reason: String? {
        get { extras?.reason }
        set {
            if newValue != nil || extras != nil { madeExtras().reason = newValue }
        }
    }
    /// The header fields.
    @exclusivity(unchecked) public var headers: HttpHeaders
    /// The body (ignored when `file` is set).
    public var body: [UInt8] {
        get { content.bytes }
        set { content = .bytes(newValue) }
    }
    /// The body as it was given: a text body is kept as its String (no array is made for it).
    @exclusivity(unchecked) var content: Body
    /// The cookies to set.
    public var cookies: [SetCookie] {
        get { extras?.cookies ?? [] }
        set {
            if !newValue.isEmpty || extras != nil { madeExtras().cookies = newValue }
        }
    }
    /// The file to send as the body, if any.
    public var file: FileBody? {
        get { extras?.file }
        set {
            if newValue != nil || extras != nil { madeExtras().file = newValue }
        }
    }
    /// The reason phrase, cookies and file, which most responses do not have: kept apart, so that a
    /// plain response holds (and releases) one empty reference for them.
    @exclusivity(unchecked) private(set) var extras: Extras?

    /// See `extras`.
    final class Extras {
        @exclusivity(unchecked) var reason: String?
        @exclusivity(unchecked) var cookies: [SetCookie] = []
        @exclusivity(unchecked) var file: FileBody?

        /// True when none is set.
        var isEmpty: Bool { reason == nil && cookies.isEmpty && file == nil }
    }

    private func madeExtras() -> Extras {
        if let extras { return extras }
        let made = Extras()
        extras = made
        return made
    }

    /// A response body: text or bytes.
    enum Body {
        case text(String)
        case bytes([UInt8])

        /// The bytes.
        var bytes: [UInt8] {
            switch self {
            case .text(let text): return Array(text.utf8)
            case .bytes(let bytes): return bytes
            }
        }

        /// The number of bytes.
        var count: Int {
            switch self {
            case .text(let text): return text.utf8.count
            case .bytes(let bytes): return bytes.count
            }
        }

        /// Copies the bytes into a head being written (room for them reserved).
        func put(into head: inout HeadWriter) {
            switch self {
            case .text(let text): head.put(string: text)
            case .bytes(let bytes): head.put(bytes)
            }
        }

        /// Appends the bytes to `buffer`.
        func write(into buffer: inout ByteBuffer) {
            switch self {
            case .text(let text): buffer.writeString(text)
            case .bytes(let bytes): buffer.writeBytes(bytes)
            }
        }
    }

    /// A response with `status`, `headers` and a text `body` (`new Response(200, [...], 'body')`).
    /// The headers are a list that a dictionary literal writes: `["Content-Type": "text/plain"]`.
    public init(_ status: Int = 200, headers: HttpHeaders = [:], body: String = "") {
        self.status = status
        self.headers = headers
        content = .text(body)
    }

    /// A response with a byte body.
    public init(_ status: Int = 200, headers: HttpHeaders = [:], bytes: [UInt8]) {
        self.status = status
        self.headers = headers
        content = .bytes(bytes)
    }

    /// Sets the status (and a reason phrase) (`withStatus`).
    @discardableResult
    public func withStatus(_ status: Int, reason: String? = nil) -> Response {
        self.status = status
        self.reason = reason
        return self
    }

    /// Sets a header, replacing any of the same name (`withHeader` / `header`).
    @discardableResult
    public func withHeader(_ name: String, _ value: String) -> Response {
        headers[name] = value
        return self
    }

    /// Sets several headers (`withHeaders`).
    @discardableResult
    public func withHeaders(_ fields: HttpHeaders) -> Response {
        for (name, value) in fields { headers[name] = value }
        return self
    }

    /// Removes a header (`withoutHeader`).
    @discardableResult
    public func withoutHeader(_ name: String) -> Response {
        headers.remove(name)
        return self
    }

    /// Sets a text body (`withBody`).
    @discardableResult
    public func withBody(_ text: String) -> Response {
        content = .text(text)
        return self
    }

    /// Sets a byte body.
    @discardableResult
    public func withBody(_ bytes: [UInt8]) -> Response {
        body = bytes
        return self
    }

    /// Sends `length` bytes of the file at `path` from `offset` as the body, streamed from disk
    /// (`withFile($file, $offset, $length)`); a file that cannot be opened gives a 404. Unless set
    /// already, `Content-Type` (by extension) and `Last-Modified` are those the WebServer sends.
    @discardableResult
    public func withFile(_ path: String, offset: Int = 0, length: Int? = nil) -> Response {
        file = FileBody(path: path, offset: offset, length: length)
        if !headers.contains("Content-Type") || !headers.contains("Last-Modified") {
            var info = stat()
            if stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG {
                describeFile(at: path, modified: Int(info.st_mtim.tv_sec))
            }
        }
        return self
    }

    /// Adds a cookie (`cookie($name, $value, $maxAge, $path, $domain, $secure, $httpOnly, $sameSite)`).
    @discardableResult
    public func cookie(
        _ name: String, _ value: String = "", maxAge: Int? = nil, path: String? = nil, domain: String? = nil,
        secure: Bool = false, httpOnly: Bool = false, sameSite: SetCookie.SameSite? = nil
    ) -> Response {
        madeExtras().cookies.append(
            SetCookie(
                name, value, maxAge: maxAge, path: path, domain: domain, secure: secure, httpOnly: httpOnly,
                sameSite: sameSite))
        return self
    }
}

/// One chunk of a chunked response (`new Chunk($data)`); an empty chunk ends the response.
///
/// ```swift
/// connection.send(Response(200, headers: ["Transfer-Encoding": "chunked"]))
/// connection.send(Chunk("part 1"))
/// connection.send(Chunk(""))          // the end
/// ```
public struct Chunk {
    /// The chunk's bytes.
    public var bytes: [UInt8]

    /// A chunk of text.
    public init(_ text: String) { bytes = Array(text.utf8) }

    /// A chunk of bytes.
    public init(bytes: [UInt8]) { self.bytes = bytes }
}

/// One server-sent event (`new ServerSentEvents([...])`) for a `text/event-stream` response.
///
/// ```swift
/// connection.send(Response(200, headers: ["Content-Type": "text/event-stream"]))
/// Timer.add(1) { connection.send(ServerSentEvent(data: "tick", event: "clock")) }
/// ```
public struct ServerSentEvent {
    /// The data; each line becomes a `data:` line.
    public var data: String
    /// The event type, if any.
    public var event: String?
    /// The event id, if any.
    public var id: String?
    /// The reconnection time in milliseconds, if any.
    public var retry: Int?

    /// An event.
    public init(data: String, event: String? = nil, id: String? = nil, retry: Int? = nil) {
        self.data = data
        self.event = event
        self.id = id
        self.retry = retry
    }

    /// The event's wire form, ended by an empty line. CR and LF in `event` and `id` are dropped.
    func write(into buffer: inout ByteBuffer) {
        if let event { buffer.writeString("event: \(Self.singleLine(event))\n") }
        if let id { buffer.writeString("id: \(Self.singleLine(id))\n") }
        if let retry { buffer.writeString("retry: \(retry)\n") }
        for line in data.split(separator: "\n", omittingEmptySubsequences: false) {
            buffer.writeString("data: \(line.last == "\r" ? line.dropLast() : line)\n")
        }
        buffer.writeString("\n")
    }

    private static func singleLine(_ text: String) -> String { text.filter { $0 != "\r" && $0 != "\n" } }
}
