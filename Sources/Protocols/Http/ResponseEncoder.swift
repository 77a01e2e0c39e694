import Glibc
import WorkerCore

/// Writes responses, chunks and error pages, and keeps the connection's keep-alive and stream state.
enum ResponseEncoder {
    /// Files up to this size are read into the response at once; larger ones are streamed (2 MiB, as Workerman).
    static let inlineFileLimit = 2 * 1024 * 1024

    /// Writes `response` as the answer to the oldest pending request of the connection.
    static func write(
        _ response: Response, _ state: HttpConnectionState, _ connection: Connection, into buffer: inout ByteBuffer
    ) {
        if let problem = invalidHeader(response) {
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
        let keepAlive = request.keepAlive && !response.headers.hasToken("close", in: "Connection")
        let sendsBody = !request.isHead && !HttpStatus.forbidsBody(response.status)
        var stream: HttpConnectionState.Stream?
        var length: Int? = file?.length ?? response.body.count
        if response.isEventStream {
            stream = .untilClose
            length = nil
        } else if response.isChunked {
            stream = request.isHttp10 ? .untilClose : .chunked(keepAlive: keepAlive)
            length = nil
        }
        writeHead(
            response, length: length, keepAlive: keepAlive && stream != .untilClose, http10: request.isHttp10,
            sessionCookie: state.sessionCookie, into: &buffer)
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
                buffer.writeString("0\r\n\r\n")
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
    static func writeError(_ error: HttpError, into buffer: inout ByteBuffer) {
        let body = Array("\(error.status) \(HttpStatus.reason(for: error.status))".utf8)
        let response = Response(error.status, headers: ["Content-Type": "text/plain;charset=utf-8"], bytes: body)
        writeHead(response, length: body.count, keepAlive: false, http10: false, into: &buffer)
        buffer.writeBytes(body)
    }

    /// A response is complete: close if it said so, otherwise the connection is idle again.
    static func finish(keepAlive: Bool, _ state: HttpConnectionState, _ connection: Connection) {
        state.responseFinished()
        if !keepAlive { (connection as? TcpConnection)?.closeAfterWriting() }
    }

    private static func writeHead(
        _ response: Response, length: Int?, keepAlive: Bool, http10: Bool, sessionCookie: SetCookie? = nil,
        into buffer: inout ByteBuffer
    ) {
        buffer.writeString(
            "HTTP/1.1 \(response.status) \(response.reason ?? HttpStatus.reason(for: response.status))\r\n")
        let headers = response.headers
        if !Http.serverName.isEmpty && !headers.contains("Server") {
            buffer.writeString("Server: \(Http.serverName)\r\n")
        }
        if !headers.contains("Date") { buffer.writeString("Date: \(HttpDate.now)\r\n") }
        for (name, value) in headers where !HttpHeaders.sameName(name, "Content-Length") {
            if http10 && HttpHeaders.sameName(name, "Transfer-Encoding") { continue }
            if HttpHeaders.sameName(name, "Connection") { continue }
            buffer.writeString("\(name): \(value)\r\n")
        }
        for cookie in response.cookies { buffer.writeString("Set-Cookie: \(cookie.headerValue)\r\n") }
        if let sessionCookie { buffer.writeString("Set-Cookie: \(sessionCookie.headerValue)\r\n") }
        if let length, !HttpStatus.forbidsBody(response.status) {
            if !headers.contains("Content-Type") && (length > 0 || response.file != nil) {
                buffer.writeString("Content-Type: text/html;charset=utf-8\r\n")
            }
            buffer.writeString("Content-Length: \(length)\r\n")
        }
        buffer.writeString(keepAlive ? "Connection: keep-alive\r\n\r\n" : "Connection: close\r\n\r\n")
    }

    private static func writeChunk(_ bytes: [UInt8], into buffer: inout ByteBuffer) {
        guard !bytes.isEmpty else { return }
        buffer.writeString(String(bytes.count, radix: 16))
        buffer.writeString("\r\n")
        buffer.writeBytes(bytes)
        buffer.writeString("\r\n")
    }

    /// Why the response's headers cannot be sent, or nil.
    private static func invalidHeader(_ response: Response) -> String? {
        for (name, value) in response.headers {
            if name.isEmpty || !name.utf8.allSatisfy(HttpText.isToken) { return "header name '\(name)'" }
            if value.utf8.contains(where: { $0 == 0x0d || $0 == 0x0a || $0 == 0 }) { return "CR, LF or NUL in \(name)" }
        }
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
