import WorkermanCore
import WorkermanTimer

/// HTTP/1.1 (RFC 9112) for `http://` Workers: Workerman's `Http` protocol, stricter where it is loose.
///
/// `worker.onRequest` receives each `Request` (without it, `onMessage` gets `.object(Request)`); reply
/// with `connection.send(response)` or a plain string (a `200 text/html;charset=utf-8` page). Connections stay open between requests
/// (HTTP/1.1's keep-alive) unless the request or the response says `Connection: close` or the client
/// speaks HTTP/1.0 without `keep-alive`; pipelined requests are answered in order.
///
/// Its limits and timeouts are the Worker's (`worker.http`, see `HttpSettings`). Bodies up to
/// `uploadMemoryLimit` arrive with their head as one packet (which must fit the
/// connection's `maxPackageSize`); larger bodies are streamed: the head comes alone, then the body is
/// cut into packets as it arrives and written to temporary files (see `StreamedBody`), up to
/// `maxBodySize` in total. That holds for Content-Length bodies and for chunked ones alike: a chunked
/// body streams once its payload passes `uploadMemoryLimit` (or its bytes would not fit one packet)
/// before it ends, its framing removed piece by piece (see `ChunkedDecoder`), never past its end.
///
/// Refused requests get an error response and the connection closes: a head over `maxHeaderSize` → 431
/// (a trailer section too), a body over `maxBodySize` → 413, a malformed request line or header, a
/// missing Host on 1.1, Content-Length with Transfer-Encoding, a bad chunk size or chunk framing → 400,
/// an unknown transfer coding → 501, HTTP/2+ → 505. Slow or idle clients are timed out (see `Http.checkDeadlines`).
public enum Http: StatefulWireProtocol {
    /// The state made for each connection, with its Worker's `http` settings.
    public static func makeState(for connection: Connection) -> HttpConnectionState {
        HttpConnectionState(connection, settings: connection.worker?.http ?? HttpSettings())
    }

    /// The length of the first request (head and body), once it is known; while a body streams,
    /// the length of its next piece. `100 Continue` is answered here, once, when the body is awaited.
    public static func input(_ buffer: ByteView, state: inout HttpConnectionState, connection: Connection)
        -> InputResult
    {
        if state.rejected != nil { return .needMore }
        let limit = connection.maxPackageSize
        let settings = state.settings
        do throws(HttpError) {
            if let body = state.streamedBody {
                guard !buffer.isEmpty else { return .needMore }
                return .packet(length: try body.nextPieceLength(in: buffer, limit: limit))
            }
            let head: HttpRequestHead
            if let parsed = state.head {
                head = parsed
            } else {
                guard let parsed = try parseHead(buffer, state) else { return .needMore }
                head = parsed
            }
            let framing = head.framing
            let headLength = head.length
            let expectsContinue = head.expectsContinue
            switch framing {
            case .none:
                return .packet(length: headLength)
            case .contentLength(let length) where length > settings.uploadMemoryLimit:
                guard length <= settings.maxBodySize else { throw HttpError(413, "body of \(length) bytes") }
                if let reply = continueReply(expectsContinue, buffer.count - headLength < length, state) {
                    return reply
                }
                return .packet(length: headLength)  // the head alone; the body follows in pieces
            case .contentLength(let length):
                guard length <= settings.maxBodySize, headLength + length <= limit else {
                    throw HttpError(413, "body of \(length) bytes")
                }
                if let reply = continueReply(expectsContinue, buffer.count - headLength < length, state) {
                    return reply
                }
                return .packet(length: headLength + length)
            case .chunked:
                let length = try chunkedRequestLength(buffer, headLength: headLength, limit: limit, state)
                if let reply = continueReply(expectsContinue, !state.chunkedDecoder.isComplete, state) { return reply }
                return length.map { .packet(length: $0) } ?? .needMore
            }
        } catch {
            return .replyAndClose(refusal(error, state), reason: error.description)
        }
    }

    /// The length of a request whose chunked body is not streaming: the whole request once the body
    /// ended within `uploadMemoryLimit` bytes of payload and `limit` bytes of packet; the head alone
    /// (the body then streams) once it cannot; nil until one or the other is known. Measures the bytes
    /// after those measured in the previous calls.
    private static func chunkedRequestLength(
        _ buffer: ByteView, headLength: Int, limit: Int, _ state: HttpConnectionState
    ) throws(HttpError) -> Int? {
        let room = max(0, limit - headLength)
        let body = buffer.slice(headLength..<min(buffer.count, headLength + room))
        _ = try state.chunkedDecoder.measure(body.dropping(first: state.chunkedDecoder.consumed))
        let (complete, payload, measured) =
            (state.chunkedDecoder.isComplete, state.chunkedDecoder.payloadSize, state.chunkedDecoder.consumed)
        let memoryLimit = state.settings.uploadMemoryLimit
        if complete && payload <= memoryLimit { return headLength + measured }
        return payload > memoryLimit || measured == room ? headLength : nil
    }

    /// Parses the head at the start of `buffer` into `state.head` once it is complete (and returns
    /// it); nil until then. The head's clock starts when a call finds it incomplete: one that comes
    /// whole is parsed at once, with no deadline to keep.
    private static func parseHead(_ buffer: ByteView, _ state: HttpConnectionState) throws(HttpError)
        -> HttpRequestHead?
    {
        let maxHeaderSize = state.settings.maxHeaderSize
        // RFC 9112 §2.2: empty lines before the request line are ignored (they do not end a head).
        let start = HttpText.leadingEmptyLines(in: buffer)
        guard let end = HttpText.endOfHead(in: buffer, from: max(Int(state.headSearchFrom) - 3, start)) else {
            if buffer.count >= maxHeaderSize { throw HttpError(431, "no end of head in \(buffer.count) bytes") }
            // A line ended by a bare LF would never end the head: refuse it now, not at the timeout.
            if HttpText.hasBareLineFeed(in: buffer, from: max(Int(state.headSearchFrom) - 1, start)) {
                throw HttpError(400, "a line ends with a bare LF")
            }
            state.headSearchFrom = Int32(clamping: buffer.count)
            if !state[flag: .headStarted] {
                state[flag: .headStarted] = true
                state.since = MonotonicClock.now()
            }
            return nil
        }
        guard end + 4 <= maxHeaderSize else { throw HttpError(431, "head of \(end + 4) bytes") }
        let head = try HttpHeadParser.parse(buffer.slice(0..<(end + 4)))
        state.head = head
        return head
    }

    /// The interim response to `Expect: 100-continue`.
    private static let continueLine = Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)

    /// `.reply(100 Continue)` the first time a request that expects it waits for its body; nil otherwise.
    private static func continueReply(_ expectsContinue: Bool, _ bodyMissing: Bool, _ state: HttpConnectionState)
        -> InputResult?
    {
        guard expectsContinue, bodyMissing, !state[flag: .sentContinue] else { return nil }
        state[flag: .sentContinue] = true
        return .reply(continueLine)
    }

    /// The error response for a refused request (which closes the connection); notes the refusal.
    static func refusal(_ error: HttpError, _ state: HttpConnectionState) -> [UInt8] {
        state.rejected = error
        var bytes = ByteBuffer(capacity: 256)
        ResponseEncoder.writeError(error, serverName: state.settings.serverName, into: &bytes)
        return bytes.withReadableBytes { Array($0) }
    }

    /// The `Request` of one complete packet; nil for the head of a streamed body and its pieces but
    /// the last. A body that breaks its framing is refused with its error response.
    public static func decode(_ packet: ByteView, state: inout HttpConnectionState, connection: Connection) throws
        -> Request?
    {
        guard let head = state.head else { throw ProtocolError("decode without a measured request") }
        do throws(HttpError) {
            if let streamed = state.streamedBody {
                try streamed.append(packet)
                guard streamed.isComplete else { return nil }
                let (form, file, bytes) = streamed.finish()
                return streamed.headBytes.withUnsafeBytes { headBytes in
                    deliver(
                        head, state, headBytes: ByteView(headBytes), body: bytes, bodySize: streamed.size,
                        bodyFile: file, form: form, trailers: streamed.trailers)
                }
            }
            let headBytes = packet.slice(head.start..<head.length)
            if packet.count == head.length {
                // A head with a body (which is never empty) comes alone when the body streams.
                if head.framing == .none { return deliver(head, state, headBytes: headBytes, body: [], bodySize: 0) }
                state.streamedBody = StreamedBody(head: head, headBytes: headBytes.bytes, settings: state.settings)
                return nil
            }
            let bodyBytes = packet.dropping(first: head.length)
            guard head.framing == .chunked else {
                return deliver(head, state, headBytes: headBytes, body: bodyBytes.bytes, bodySize: bodyBytes.count)
            }
            let (body, trailers) = try ChunkedDecoder.decodeComplete(bodyBytes, settings: state.settings)
            return deliver(head, state, headBytes: headBytes, body: body, bodySize: body.count, trailers: trailers)
        } catch {
            throw ProtocolError(error.description, reply: refusal(error, state))
        }
    }

    /// Ends the request being received and makes its `Request`, whose response is now pending.
    private static func deliver(
        _ head: HttpRequestHead, _ state: HttpConnectionState, headBytes: ByteView, body: [UInt8], bodySize: Int,
        bodyFile: TemporaryFile? = nil, form: (FormParameters, [UploadedFile])? = nil, trailers: HttpHeaders? = nil
    ) -> Request {
        state.requestCut()
        state.pending.append(.init(isHead: head.isHead, keepAlive: head.keepAlive, isHttp10: head.isHttp10))
        return Request(
            head: head, headBytes: headBytes, body: body, bodySize: bodySize, bodyFile: bodyFile, form: form,
            trailers: trailers, state: state)
    }

    /// Hands the request to the Worker's `onRequest`, or else to `onMessage` as `.object(request)`.
    public static func deliver(_ request: Request, state: HttpConnectionState, connection: TcpConnection) {
        if let onRequest = state.settings.onRequest {
            onRequest(connection, request)
        } else {
            connection.deliverMessage(.object(request))
        }
    }

    /// `.object(request)`.
    public static func message(from request: Request) -> Message { .object(request) }

    /// A `Response`, a `Chunk`, a `ServerSentEvent`, or a string (a `200 text/html;charset=utf-8` page).
    public static func encode(
        _ message: Message, state: inout HttpConnectionState, connection: Connection, into buffer: inout ByteBuffer
    ) throws {
        switch message {
        case .text(let text): ResponseEncoder.write(Response(body: text), state, connection, into: &buffer)
        case .binary(let bytes): ResponseEncoder.write(Response(bytes: bytes), state, connection, into: &buffer)
        case .object(let value):
            if let response = value as? Response {
                ResponseEncoder.write(response, state, connection, into: &buffer)
            } else if let chunk = value as? Chunk {
                ResponseEncoder.write(chunk, state, connection, into: &buffer)
            } else if let event = value as? ServerSentEvent {
                event.write(into: &buffer)
            } else {
                ResponseEncoder.write(Response(body: String(describing: value)), state, connection, into: &buffer)
            }
        }
    }

    /// Starts the clock for the first request (see `HttpSettings.headerTimeout`).
    public static func opened(state: inout HttpConnectionState, connection: TcpConnection) {
        state.connectionOpened()
    }

    /// Stops any file being streamed and removes the temporary files of a body being received.
    public static func closed(state: inout HttpConnectionState, connection: TcpConnection) {
        state.streamedBody = nil
        if case .file(let streamer) = state.stream { streamer.cancel() }
        state.stream = nil
    }
}
