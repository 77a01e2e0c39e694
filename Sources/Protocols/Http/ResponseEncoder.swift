import Glibc
import WorkermanCore

/// Writes responses, chunks and error pages, and keeps the connection's keep-alive and stream state.
enum ResponseEncoder {
    /// Files up to this size are read into the response at once; larger ones are streamed (2 MiB, as Workerman).
    static let inlineFileLimit = 2 * 1024 * 1024

    /// Writes `response` as the answer to the oldest pending request of the connection.
    static func write(
        _ original: Response, _ state: HttpConnectionState, _ connection: Connection, into buffer: inout ByteBuffer
    ) {
        let response = ResponseParts(original)
        let fields = HeaderSummary(response.headers)
        if let problem = fields.problem ?? invalidOther(response) {
            Log.write("HTTP response refused (\(problem)); a 500 is sent instead")
            write(Response(500, body: "Internal Server Error"), state, connection, into: &buffer)
            return
        }
        let request =
            state.pending.isEmpty
            ? HttpConnectionState.PendingRequest(isHead: false, keepAlive: true, isHttp10: false)
            : state.pending.removeFirst()
        var file: OpenFile?
        if let body = response.file {
            guard let opened = OpenFile(body) else {
                state.pending.insert(request, at: 0)
                write(Response(404, body: "404 Not Found"), state, connection, into: &buffer)
                return
            }
            file = opened
        }
        // A leaving worker closes after the last request it has received (see `Http.leaving`).
        let keepAlive = request.keepAlive && !fields.closes && !(state.leaving && state.pending.isEmpty)
        let sendsBody = !request.isHead && !HttpStatus.forbidsBody(response.status)
        var stream: HttpConnectionState.Stream?
        var length: Int? = file?.length ?? response.body.count
        if fields.isEventStream {
            stream = .untilClose
            length = nil
        } else if fields.isChunked {
            stream = request.isHttp10 ? .untilClose : .chunked(keepAlive: keepAlive)
            length = nil
        }
        writeHead(
            response, fields, length: length, keepAlive: keepAlive && stream != .untilClose, http10: request.isHttp10,
            serverName: state.settings.serverName, sessionCookie: state.sessionCookie, into: &buffer)
        state.sessionCookie = nil
        if let file {
            if !sendsBody {
                Glibc.close(file.fd)
            } else if file.length > inlineFileLimit, let tcp = connection as? TcpConnection {
                state.stream = .file(FileStreamer(file, connection: tcp, keepAlive: keepAlive))
                return
            } else {
                file.read(into: &buffer)
            }
        } else if sendsBody {
            if !response.body.isEmpty {
                if case .chunked = stream {
                    writeChunk(response.body, into: &buffer)
                } else {
                    buffer.writeBytes(response.body)
                }
            }
        }
        if sendsBody, let stream {
            state.stream = stream
            return
        }
        finish(keepAlive: keepAlive, state, connection)
    }

    /// Writes one chunk of the open chunked response; an empty chunk ends it.
    static func write(
        _ chunk: Chunk, _ state: HttpConnectionState, _ connection: Connection, into buffer: inout ByteBuffer
    ) {
        switch state.stream {
        case .chunked(let keepAlive):
            writeChunk(chunk.bytes, into: &buffer)
            if chunk.bytes.isEmpty {
                buffer.writeLiteral("0\r\n\r\n")
                state.stream = nil
                finish(keepAlive: keepAlive, state, connection)
            }
        case .untilClose:
            if chunk.bytes.isEmpty {
                (connection as? TcpConnection)?.closeAfterWriting()
            } else {
                buffer.writeBytes(chunk.bytes)
            }
        case .file, nil:
            break  // no chunked response is open: nothing to frame the chunk in
        }
    }

    /// The error page for a refused request: status, `Connection: close`, a short text body.
    static func writeError(_ error: HttpError, serverName: String, into buffer: inout ByteBuffer) {
        let body = Array("\(error.status) \(HttpStatus.reason(for: error.status))".utf8)
        let response = ResponseParts(
            Response(error.status, headers: ["Content-Type": "text/plain;charset=utf-8"], bytes: body))
        writeHead(
            response, HeaderSummary(response.headers), length: body.count, keepAlive: false, http10: false,
            serverName: serverName, into: &buffer)
        buffer.writeBytes(body)
    }

    /// A response is complete: close if it said so, otherwise the connection is idle again.
    static func finish(keepAlive: Bool, _ state: HttpConnectionState, _ connection: Connection) {
        state.responseFinished()
        if !keepAlive { (connection as? TcpConnection)?.closeAfterWriting() }
    }

    private static func writeHead(
        _ response: ResponseParts, _ fields: HeaderSummary, length: Int?, keepAlive: Bool, http10: Bool,
        serverName: String, sessionCookie: SetCookie? = nil, into buffer: inout ByteBuffer
    ) {
        writeStatusLine(response.status, reason: response.reason, into: &buffer)
        if !fields.hasServer && !serverName.isEmpty {
            buffer.writeLiteral("Server: ")
            buffer.writeString(serverName)
            buffer.writeLiteral("\r\n")
        }
        if !fields.hasDate { HttpDate.writeHeaderLine(into: &buffer) }
        for (name, value) in response.headers {
            switch FieldName(name) {
            case .contentLength, .connection: continue
            case .transferEncoding where http10: continue
            default: break
            }
            buffer.writeString(name)
            buffer.writeLiteral(": ")
            buffer.writeString(value)
            buffer.writeLiteral("\r\n")
        }
        for cookie in response.cookies { writeSetCookie(cookie, into: &buffer) }
        if let sessionCookie { writeSetCookie(sessionCookie, into: &buffer) }
        if let length, !HttpStatus.forbidsBody(response.status) {
            if !fields.hasContentType && (length > 0 || response.file != nil) {
                buffer.writeLiteral("Content-Type: text/html;charset=utf-8\r\n")
            }
            buffer.writeLiteral("Content-Length: ")
            writeDecimal(length, into: &buffer)
            buffer.writeLiteral("\r\n")
        }
        if keepAlive {
            buffer.writeLiteral("Connection: keep-alive\r\n\r\n")
        } else {
            buffer.writeLiteral("Connection: close\r\n\r\n")
        }
    }

    /// "HTTP/1.1 200 OK\r\n"; `status` is 100...999 (checked by `invalidOther`).
    private static func writeStatusLine(_ status: Int, reason: String?, into buffer: inout ByteBuffer) {
        if status == 200 && reason == nil {
            buffer.writeLiteral("HTTP/1.1 200 OK\r\n")
            return
        }
        buffer.writeLiteral("HTTP/1.1 ")
        writeDecimal(status, into: &buffer)
        buffer.writeLiteral(" ")
        buffer.writeString(reason ?? HttpStatus.reason(for: status))
        buffer.writeLiteral("\r\n")
    }

    private static func writeSetCookie(_ cookie: SetCookie, into buffer: inout ByteBuffer) {
        buffer.writeLiteral("Set-Cookie: ")
        buffer.writeString(cookie.headerValue)
        buffer.writeLiteral("\r\n")
    }

    /// Appends `value` in decimal digits, without making a String.
    static func writeDecimal(_ value: Int, into buffer: inout ByteBuffer) {
        guard value >= 0 else {
            buffer.writeString(String(value))
            return
        }
        var digits = 1
        var rest = value / 10
        while rest > 0 {
            digits += 1
            rest /= 10
        }
        _ = buffer.writeWithUnsafeMutableBytes(minimumWritable: digits) { space in
            var remaining = value
            for index in stride(from: digits - 1, through: 0, by: -1) {
                space[index] = UInt8(truncatingIfNeeded: 0x30 + remaining % 10)
                remaining /= 10
            }
            return digits
        }
    }

    private static func writeChunk(_ bytes: [UInt8], into buffer: inout ByteBuffer) {
        guard !bytes.isEmpty else { return }
        buffer.writeString(String(bytes.count, radix: 16))
        buffer.writeString("\r\n")
        buffer.writeBytes(bytes)
        buffer.writeString("\r\n")
    }

    /// Why the header field `name: value` cannot be sent, or nil.
    fileprivate static func invalidField(_ name: String, _ value: String) -> String? {
        let validName = HttpText.withBytes(of: name) { bytes in !bytes.isEmpty && bytes.allSatisfy(HttpText.isToken) }
        if !validName { return "header name '\(name)'" }
        let splits = HttpText.withBytes(of: value) { bytes in bytes.contains { $0 == 0x0d || $0 == 0x0a || $0 == 0 } }
        if splits { return "CR, LF or NUL in \(name)" }
        return nil
    }

    /// Why the response's cookies, reason phrase or status cannot be sent, or nil (the header
    /// fields are checked by `HeaderSummary`).
    private static func invalidOther(_ response: ResponseParts) -> String? {
        for cookie in response.cookies where !cookie.name.utf8.allSatisfy(HttpText.isToken) || cookie.name.isEmpty {
            return "cookie name '\(cookie.name)'"
        }
        for cookie in response.cookies {
            let attributes = [cookie.path, cookie.domain, cookie.expires].compactMap { $0 }
            if attributes.contains(where: { $0.utf8.contains { $0 < 0x20 || $0 == UInt8(ascii: ";") } }) {
                return "control character or ';' in a cookie attribute"
            }
        }
        if let reason = response.reason, reason.utf8.contains(where: { $0 < 0x20 && $0 != 0x09 }) {
            return "control character in the reason phrase"
        }
        guard (100...999).contains(response.status) else { return "status \(response.status)" }
        return nil
    }
}

/// The properties of a `Response`, each read once (every read of a class property is checked for
/// exclusive access at run time).
private struct ResponseParts {
    let status: Int
    let reason: String?
    let headers: HttpHeaders
    let body: [UInt8]
    let cookies: [SetCookie]
    let file: Response.FileBody?

    init(_ response: Response) {
        status = response.status
        reason = response.reason
        headers = response.headers
        body = response.body
        cookies = response.cookies
        file = response.file
    }
}

/// The response header names the encoder treats specially, recognised in any case.
private enum FieldName {
    case server, date, contentType, contentLength, connection, transferEncoding, other

    init(_ name: String) {
        self = HttpText.withBytes(of: name) { bytes in
            switch bytes.count {
            case 4 where HttpText.equals(bytes, lowercase: "date"): return .date
            case 6 where HttpText.equals(bytes, lowercase: "server"): return .server
            case 10 where HttpText.equals(bytes, lowercase: "connection"): return .connection
            case 12 where HttpText.equals(bytes, lowercase: "content-type"): return .contentType
            case 14 where HttpText.equals(bytes, lowercase: "content-length"): return .contentLength
            case 17 where HttpText.equals(bytes, lowercase: "transfer-encoding"): return .transferEncoding
            default: return .other
            }
        }
    }
}

/// What encoding a response needs to know of its header fields, found in one pass over them.
private struct HeaderSummary {
    /// Why a field cannot be sent (the first such field), or nil.
    var problem: String?
    var hasServer = false
    var hasDate = false
    var hasContentType = false
    /// `Connection` lists `close`.
    var closes = false
    /// The (first) `Content-Type` is `text/event-stream`: the head goes out, events follow.
    var isEventStream = false
    /// `Transfer-Encoding` lists `chunked`: the application sends `Chunk`s, an empty one ends them.
    var isChunked = false

    init(_ headers: HttpHeaders) {
        for (name, value) in headers {
            if let problem = ResponseEncoder.invalidField(name, value) {
                self.problem = problem
                return
            }
            switch FieldName(name) {
            case .server: hasServer = true
            case .date: hasDate = true
            case .contentType:
                if !hasContentType { isEventStream = Self.isEventStream(value) }
                hasContentType = true
            case .connection: closes = closes || HttpHeaders.listsToken("close", in: value)
            case .transferEncoding: isChunked = isChunked || HttpHeaders.listsToken("chunked", in: value)
            case .contentLength, .other: break
            }
        }
    }

    /// True when `contentType` begins with "text/event-stream" in any case.
    private static func isEventStream(_ contentType: String) -> Bool {
        let prefix: StaticString = "text/event-stream"
        let matches = HttpText.withBytes(of: contentType) { bytes -> Bool? in
            guard HttpText.isASCII(bytes) else { return nil }
            return bytes.count >= prefix.utf8CodeUnitCount
                && HttpText.equals(
                    UnsafeRawBufferPointer(rebasing: bytes.prefix(prefix.utf8CodeUnitCount)), lowercase: prefix)
        }
        // Not ASCII: compare Characters, as String.hasPrefix does.
        return matches ?? HttpText.lowercased(contentType).hasPrefix("text/event-stream")
    }
}

extension ByteBuffer {
    /// Appends the UTF-8 of a string literal (no String is made).
    @inline(__always)
    fileprivate mutating func writeLiteral(_ text: StaticString) {
        text.withUTF8Buffer { writeBytes(UnsafeRawBufferPointer($0)) }
    }
}

extension HttpConnectionState.Stream: Equatable {
    static func == (lhs: Self, rhs: Self) -> Bool {
        switch (lhs, rhs) {
        case (.chunked(let a), .chunked(let b)): return a == b
        case (.untilClose, .untilClose): return true
        case (.file(let a), .file(let b)): return a === b
        default: return false
        }
    }
}
