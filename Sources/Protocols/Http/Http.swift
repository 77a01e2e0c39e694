import WorkermanTimer
import WorkermanCore

/// HTTP/1.1 (RFC 9112) for `http://` Workers: Workerman's `Http` protocol, stricter where it is loose.
///
/// `onMessage` receives `.object(Request)` (or use `worker.onRequest`); reply with `connection.send(response)`
/// or a plain string (a `200 text/html;charset=utf-8` page). Connections stay open between requests
/// (HTTP/1.1's keep-alive) unless the request or the response says `Connection: close` or the client
/// speaks HTTP/1.0 without `keep-alive`; pipelined requests are answered in order.
///
/// Bodies up to `uploadMemoryLimit` arrive with their head as one packet (which must fit the
/// connection's `maxPackageSize`); larger bodies are streamed: the head comes alone, then the body is
/// cut into packets as it arrives and written to temporary files (see `StreamedBody`), up to
/// `maxBodySize` in total. That holds for Content-Length bodies and for chunked ones alike: a chunked
/// body streams once its payload passes `uploadMemoryLimit` (or its bytes would not fit one packet)
/// before it ends, its framing removed piece by piece (see `ChunkedDecoder`), never past its end.
///
/// Refused requests get an error response and the connection closes: a head over `maxHeaderSize` → 431
/// (a trailer section too), a body over `maxBodySize` → 413, a malformed request line or header, a
/// missing Host on 1.1, Content-Length with Transfer-Encoding, a bad chunk size or chunk framing → 400,
/// an unknown transfer coding → 501, HTTP/2+ → 505. Slow or idle clients are timed out (see `HttpTimeouts`).
public enum Http: WireProtocol {
    /// The largest request head (request line and header fields) accepted: 16 KiB, as Workerman.
    nonisolated(unsafe) public static var maxHeaderSize = 16 * 1024  // one thread per process
    /// Seconds an idle keep-alive connection is kept open after its last response (default 60; 0: forever).
    nonisolated(unsafe) public static var keepAliveTimeout: Double = 60  // one thread per process
    /// Seconds a client has to send a whole request head once it began (default 30; 0: forever).
    nonisolated(unsafe) public static var headerTimeout: Double = 30  // one thread per process
    /// Seconds a request body may go without a byte arriving (default 60; 0: forever).
    nonisolated(unsafe) public static var bodyTimeout: Double = 60  // one thread per process
    /// The most uploaded files one multipart request yields; more are ignored (Workerman: 1024).
    nonisolated(unsafe) public static var maxFileUploads = 1024  // one thread per process
    /// Uploaded files larger than this many bytes are written to a temporary file (default 1 MiB).
    nonisolated(unsafe) public static var uploadMemoryLimit = 1024 * 1024  // one thread per process
    /// The largest request body accepted, streamed to disk past `uploadMemoryLimit` (default 1 GiB);
    /// a larger Content-Length is answered 413 before any of the body is read, a chunked body as soon
    /// as a chunk size takes its payload past it.
    nonisolated(unsafe) public static var maxBodySize = 1 << 30  // one thread per process
    /// Where large uploads are written (default "/tmp"), each process in its own directory
    /// (`workerman-uploads-<program>-...`); the files are removed with their Request, and those of a
    /// process that died are removed when the next worker process of the server starts.
    nonisolated(unsafe) public static var uploadDirectory = "/tmp"  // one thread per process
    /// The `Server` header added to responses that have none; "" adds none.
    nonisolated(unsafe) public static var serverName = "workerman"  // one thread per process

    /// The length of the first request (head and body), once it is known; while a body streams,
    /// the length of its next piece.
    public static func input(_ buffer: ByteView, connection: Connection) -> InputResult {
        let state = HttpConnectionState.of(connection)
        if state.rejected != nil { return .needMore }
        let limit = (connection as? TcpConnection)?.maxPackageSize ?? TcpConnection.defaultMaxPackageSize
        do throws(HttpError) {
            if let body = state.streamedBody {
                guard !buffer.isEmpty else { return .needMore }
                return .packet(length: try body.nextPieceLength(in: buffer, limit: limit))
            }
            if state.head == nil {
                guard try parseHead(buffer, state) else { return .needMore }
            }
            // Read the few fields needed here, not a copy of the whole head.
            let framing = state.head!.framing
            let headLength = state.head!.length
            let expectsContinue = state.head!.expectsContinue
            switch framing {
            case .none:
                return .packet(length: headLength)
            case .contentLength(let length) where length > uploadMemoryLimit:
                guard length <= maxBodySize else { throw HttpError(413, "body of \(length) bytes") }
                sendContinueIfExpected(expectsContinue, buffer.count - headLength < length, state, connection)
                return .packet(length: headLength)  // the head alone; the body follows in pieces
            case .contentLength(let length):
                guard headLength + length <= limit else { throw HttpError(413, "body of \(length) bytes") }
                sendContinueIfExpected(expectsContinue, buffer.count - headLength < length, state, connection)
                return .packet(length: headLength + length)
            case .chunked:
                let length = try chunkedRequestLength(buffer, headLength: headLength, limit: limit, state)
                sendContinueIfExpected(expectsContinue, !state.chunkedDecoder.isComplete, state, connection)
                return length.map { .packet(length: $0) } ?? .needMore
            }
        } catch {
            return reject(error, on: connection)
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
        if complete && payload <= uploadMemoryLimit { return headLength + measured }
        return payload > uploadMemoryLimit || measured == room ? headLength : nil
    }

    /// Parses the head at the start of `buffer` into `state.head` once it is complete; false until then.
    private static func parseHead(_ buffer: ByteView, _ state: HttpConnectionState) throws(HttpError) -> Bool {
        if state.headStartedAt == 0 { state.headStartedAt = MonotonicClock.now() }
        guard let end = HttpText.endOfHead(in: buffer, from: state.headSearchFrom - 3) else {
            if buffer.count >= maxHeaderSize { throw HttpError(431, "no end of head in \(buffer.count) bytes") }
            state.headSearchFrom = buffer.count
            return false
        }
        guard end + 4 <= maxHeaderSize else { throw HttpError(431, "head of \(end + 4) bytes") }
        state.head = try HttpHeadParser.parse(buffer.slice(0..<(end + 4)))
        return true
    }

    /// The interim response to `Expect: 100-continue`.
    private static let continueLine = Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)

    private static func sendContinueIfExpected(
        _ expectsContinue: Bool, _ bodyMissing: Bool, _ state: HttpConnectionState, _ connection: Connection
    ) {
        guard expectsContinue, bodyMissing, !state.sentContinue else { return }
        state.sentContinue = true
        connection.send(.binary(continueLine), raw: true)
    }

    /// Answers `error` with its status and closes the connection. A connection that cannot carry
    /// the answer (one made for tests, without a socket) reports `.invalid` instead.
    @discardableResult
    static func reject(_ error: HttpError, on connection: Connection) -> InputResult {
        let state = HttpConnectionState.of(connection)
        guard let tcp = connection as? TcpConnection, tcp.state == .established else {
            return .invalid(error.description)
        }
        state.rejected = error
        var bytes = ByteBuffer(capacity: 256)
        ResponseEncoder.writeError(error, into: &bytes)
        tcp.close(.object(bytes), raw: true)
        return .needMore
    }

    /// The `Request` of one complete packet; nil for the head of a streamed body and its pieces but
    /// the last.
    public static func decode(_ packet: ByteView, connection: Connection) throws -> Message? {
        let state = HttpConnectionState.of(connection)
        guard let framing = state.head?.framing, let headLength = state.head?.length else {
            throw ProtocolError("decode without a measured request")
        }
        do throws(HttpError) {
            if let streamed = state.streamedBody {
                try streamed.append(packet)
                guard streamed.isComplete else { return nil }
                let (form, file, bytes) = streamed.finish()
                return deliver(
                    state, body: bytes, bodySize: streamed.size, bodyFile: file, form: form,
                    trailers: streamed.trailers)
            }
            if packet.count == headLength {
                // A head with a body (which is never empty) comes alone when the body streams.
                if framing == .none { return deliver(state, body: [], bodySize: 0) }
                state.streamedBody = StreamedBody(head: state.head!)
                return nil
            }
            let bodyBytes = packet.dropping(first: headLength)
            guard framing == .chunked else { return deliver(state, body: bodyBytes.bytes, bodySize: bodyBytes.count) }
            let (body, trailers) = try ChunkedDecoder.decodeComplete(bodyBytes)
            return deliver(state, body: body, bodySize: body.count, trailers: trailers)
        } catch {
            if case .invalid = reject(error, on: connection) { throw error }
            return nil  // the error reply is on its way
        }
    }

    /// Ends the request being received and makes its `Request`, whose response is now pending.
    private static func deliver(
        _ state: HttpConnectionState, body: [UInt8], bodySize: Int, bodyFile: TemporaryFile? = nil,
        form: (FormParameters, [UploadedFile])? = nil, trailers: HttpHeaders = .init()
    ) -> Message {
        let head = state.head.take()!  // moved out, not copied: `requestCut` forgets it anyway
        state.requestCut()
        state.pending.append(
            .init(isHead: head.method == "HEAD", keepAlive: head.keepAlive, isHttp10: head.version == "1.0"))
        let request = Request(
            head: head, body: body, bodySize: bodySize, bodyFile: bodyFile, form: form, trailers: trailers,
            connection: state.connectionReference)
        return .object(request)
    }

    /// A `Response`, a `Chunk`, a `ServerSentEvent`, or a string (a `200 text/html;charset=utf-8` page).
    public static func encode(_ message: Message, connection: Connection, into buffer: inout ByteBuffer) throws {
        let state = HttpConnectionState.of(connection)
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

    /// Starts the idle and slow-request timeouts.
    public static func connectionOpened(_ connection: Connection) {
        guard let tcp = connection as? TcpConnection else { return }
        _ = HttpConnectionState.of(tcp)
        HttpTimeouts.watch(tcp)
    }

    /// Stops the timeouts and any file being streamed.
    public static func connectionClosed(_ connection: Connection) {
        guard let tcp = connection as? TcpConnection else { return }
        HttpTimeouts.unwatch(tcp)
        (connection.protocolState as? HttpConnectionState)?.streamedBody = nil  // its temporary files go
        if let state = connection.protocolState as? HttpConnectionState, case .file(let streamer) = state.stream {
            streamer.cancel()
        }
    }
}
