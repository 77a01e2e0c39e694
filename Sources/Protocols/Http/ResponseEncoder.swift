import Glibc
import WorkermanCore

/// Writes responses, chunks and error pages, and keeps the connection's keep-alive and stream state.
enum ResponseEncoder {
    /// Files up to this size are read into the response at once; larger ones are streamed (2 MiB, as Workerman).
    static let inlineFileLimit = 2 * 1024 * 1024

    /// Writes `response` as the answer to the oldest pending request of the connection.
    static func write(
        _ response: Response, _ state: HttpConnectionState, _ connection: Connection, into buffer: inout ByteBuffer
    ) {
        let found = ResponseFieldCache.lookup(response.headers.fields)
        let fields = found.summary
        if let wire = found.wire, response.status == 200, response.extras?.isEmpty ?? true,
            !fields.isEventStream, !state.hasSessionCookie
        {
            writePlain(response, fields, wire: wire, state, connection, into: &buffer)
            return
        }
        if let problem = fields.problem?.description(in: response.headers.fields) ?? invalidOther(response) {
            Log.write("HTTP response refused (\(problem)); a 500 is sent instead")
            write(Response(500, body: "Internal Server Error"), state, connection, into: &buffer)
            return
        }
        let request = answeredRequest(state)
        var file: OpenFile?
        if let body = response.file {
            guard let opened = OpenFile(body) else {
                state.pending.prepend(request)
                write(Response(404, body: "404 Not Found"), state, connection, into: &buffer)
                return
            }
            file = opened
        }
        // A leaving worker closes after the last request it has received (see `Http.leaving`).
        let keepAlive = request.keepAlive && !fields.closes && !(state.leaving && state.pending.isEmpty)
        let sendsBody = !request.isHead && !HttpStatus.forbidsBody(response.status)
        var stream: HttpConnectionState.Stream?
        var length: Int? = file?.length ?? response.content.count
        if fields.isEventStream {
            stream = .untilClose
            length = nil
        } else if fields.isChunked {
            stream = request.isHttp10 ? .untilClose : .chunked(keepAlive: keepAlive)
            length = nil
        }
        writeHead(
            response, fields, wire: found.wire, length: length, keepAlive: keepAlive && stream != .untilClose,
            http10: request.isHttp10, serverName: state.settings.serverName, sessionCookie: state.sessionCookie,
            into: &buffer)
        if state.hasSessionCookie { state.sessionCookie = nil }
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
            if case .chunked = stream {
                if response.content.count > 0 { writeChunk(response.content.bytes, into: &buffer) }
            } else {
                response.content.write(into: &buffer)
            }
        }
        if sendsBody, let stream {
            state.stream = stream
            return
        }
        finish(keepAlive: keepAlive, state, connection)
    }

    /// The common response, written with few branches: status 200 without a reason phrase, valid
    /// fields (in the cache's wire form) with none that the encoder writes itself, a body in memory,
    /// no cookies, no stream.
    private static func writePlain(
        _ response: Response, _ fields: ResponseFieldSummary, wire: UnsafeRawBufferPointer,
        _ state: HttpConnectionState, _ connection: Connection, into buffer: inout ByteBuffer
    ) {
        let request = answeredRequest(state)
        // A leaving worker closes after the last request it has received (see `Http.leaving`).
        let keepAlive = request.keepAlive && !(state.leaving && state.pending.isEmpty)
        let length = response.content.count
        let bodyRoom = request.isHead ? 0 : length
        let firstLines = PlainHeadStart.lines(
            server: fields.hasServer ? "" : state.settings.serverName, date: !fields.hasDate)
        let room = firstLines.count + wire.count + 120 + bodyRoom
        _ = buffer.writeWithUnsafeMutableBytes(minimumWritable: room) { space in
            var head = HeadWriter(space.baseAddress!)
            head.put(firstLines)
            head.put(wire)
            if !fields.hasContentType && length > 0 { head.put("Content-Type: text/html;charset=utf-8\r\n") }
            head.put("Content-Length: ")
            head.putDecimal(length)
            head.put(keepAlive ? "\r\nConnection: keep-alive\r\n\r\n" as StaticString : "\r\nConnection: close\r\n\r\n")
            if !request.isHead { response.content.put(into: &head) }
            return head.count
        }
        finish(keepAlive: keepAlive, state, connection)
    }

    /// The oldest pending request, removed: the one a response answers (a response sent with none
    /// pending answers a keep-alive HTTP/1.1 GET).
    private static func answeredRequest(_ state: HttpConnectionState) -> HttpConnectionState.PendingRequest {
        state.pending.isEmpty
            ? HttpConnectionState.PendingRequest(isHead: false, keepAlive: true, isHttp10: false)
            : state.pending.removeFirst()
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
        let response = Response(error.status, headers: ["Content-Type": "text/plain;charset=utf-8"], bytes: body)
        let found = ResponseFieldCache.lookup(response.headers.fields)
        writeHead(
            response, found.summary, wire: found.wire, length: body.count, keepAlive: false, http10: false,
            serverName: serverName, into: &buffer)
        buffer.writeBytes(body)
    }

    /// A response is complete: close if it said so, otherwise the connection is idle again.
    static func finish(keepAlive: Bool, _ state: HttpConnectionState, _ connection: Connection) {
        state.responseFinished()
        if !keepAlive { (connection as? TcpConnection)?.closeAfterWriting() }
    }

    /// Writes the status line and header fields; `wire` is the fields' wire form when the cache has it.
    private static func writeHead(
        _ response: Response, _ fields: ResponseFieldSummary, wire: UnsafeRawBufferPointer?, length: Int?,
        keepAlive: Bool, http10: Bool, serverName: String, sessionCookie: SetCookie? = nil,
        into buffer: inout ByteBuffer
    ) {
        var cookies: [String] = []
        if !response.cookies.isEmpty || sessionCookie != nil {
            cookies = response.cookies.map(\.headerValue)
            if let sessionCookie { cookies.append(sessionCookie.headerValue) }
        }
        let server = fields.hasServer ? "" : serverName
        let reason = response.reason
        // Everything is measured first, so that the head is written into memory reserved once.
        var room = 64 + (reason?.utf8.count ?? 48) + server.utf8.count + HttpDate.headerLineLength + 96
        if let wire {
            room += wire.count
        } else {
            for (name, value) in response.headers.fields { room += name.utf8.count + value.utf8.count + 4 }
        }
        for cookie in cookies { room += cookie.utf8.count + 14 }
        _ = buffer.writeWithUnsafeMutableBytes(minimumWritable: room) { space in
            var head = HeadWriter(space.baseAddress!)
            writeStatusLine(response.status, reason: reason, into: &head)
            if !server.isEmpty {
                head.put("Server: ")
                head.put(string: server)
                head.put("\r\n")
            }
            if !fields.hasDate { HttpDate.writeHeaderLine(into: &head) }
            if let wire {
                head.put(wire)
            } else {
                writeFields(
                    response.headers.fields, skippingFraming: fields.hasFramingField, http10: http10, into: &head)
            }
            for cookie in cookies {
                head.put("Set-Cookie: ")
                head.put(string: cookie)
                head.put("\r\n")
            }
            if let length, !HttpStatus.forbidsBody(response.status) {
                if !fields.hasContentType && (length > 0 || response.file != nil) {
                    head.put("Content-Type: text/html;charset=utf-8\r\n")
                }
                head.put("Content-Length: ")
                head.putDecimal(length)
                head.put("\r\n")
            }
            head.put(keepAlive ? "Connection: keep-alive\r\n\r\n" as StaticString : "Connection: close\r\n\r\n")
            return head.count
        }
    }

    /// "Name: value\r\n" of each field; with `skippingFraming`, those the encoder writes itself are left out.
    private static func writeFields(
        _ fields: [(name: String, value: String)], skippingFraming: Bool, http10: Bool, into head: inout HeadWriter
    ) {
        for (name, value) in fields {
            if skippingFraming {
                switch ResponseFieldName(name) {
                case .contentLength, .connection: continue
                case .transferEncoding where http10: continue
                default: break
                }
            }
            head.put(string: name)
            head.put(": ")
            head.put(string: value)
            head.put("\r\n")
        }
    }

    /// "HTTP/1.1 200 OK\r\n"; `status` is 100...999 (checked by `invalidOther`).
    private static func writeStatusLine(_ status: Int, reason: String?, into head: inout HeadWriter) {
        if status == 200 && reason == nil {
            head.put("HTTP/1.1 200 OK\r\n")
            return
        }
        head.put("HTTP/1.1 ")
        head.putDecimal(status)
        head.put(" ")
        head.put(string: reason ?? HttpStatus.reason(for: status))
        head.put("\r\n")
    }

    /// Appends `value` in decimal digits, without making a String.
    static func writeDecimal(_ value: Int, into buffer: inout ByteBuffer) {
        _ = buffer.writeWithUnsafeMutableBytes(minimumWritable: 20) { space in
            var digits = HeadWriter(space.baseAddress!)
            digits.putDecimal(value)
            return digits.count
        }
    }

    private static func writeChunk(_ bytes: [UInt8], into buffer: inout ByteBuffer) {
        guard !bytes.isEmpty else { return }
        buffer.writeString(String(bytes.count, radix: 16))
        buffer.writeString("\r\n")
        buffer.writeBytes(bytes)
        buffer.writeString("\r\n")
    }

    /// Why the response's cookies, reason phrase or status cannot be sent, or nil (the header
    /// fields are checked by `ResponseFieldSummary`).
    private static func invalidOther(_ response: Response) -> String? {
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
