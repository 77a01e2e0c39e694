import WorkermanCore

/// A request body too large to arrive as one packet (a Content-Length over `http.uploadMemoryLimit`,
/// or a chunked body whose payload outgrew it), received piece by piece as `Http.input` cuts them:
/// a `multipart/form-data` body straight into `MultipartStream` (files into temporary files), any
/// other body into a temporary file. A chunked body loses its framing on the way in.
final class StreamedBody {
    /// Body bytes still to come (Content-Length framing).
    private var remaining: Int
    /// The decoder of a chunked body; nil for Content-Length framing.
    private var chunked: ChunkedDecoder?
    /// The parser of a multipart body; nil for other bodies.
    private var multipart: MultipartStream?
    /// The bytes of a body that is not multipart.
    private var raw: SpillingBuffer
    /// The payload bytes received so far (without chunked framing).
    private(set) var size = 0
    /// The trailer fields of a chunked body, once it is complete.
    private(set) var trailers = HttpHeaders()
    /// Where the raw body spills, for the error message.
    private let directory: String
    /// The bytes of the request's head from its request line on (for its `Request`).
    let headBytes: [UInt8]

    /// A receiver for the body announced by `head` (Content-Length or chunked framing), within
    /// `settings`' limits; `headBytes` are the head's bytes from its request line on.
    init(head: HttpRequestHead, headBytes: [UInt8], settings: HttpSettings) {
        self.headBytes = headBytes
        directory = settings.uploadDirectory
        raw = SpillingBuffer(limit: settings.uploadMemoryLimit, directory: settings.uploadDirectory)
        if case .contentLength(let length) = head.framing {
            remaining = length
        } else {
            remaining = 0
            chunked = ChunkedDecoder(settings: settings)
        }
        let headers = headBytes.withUnsafeBytes { head.headers(in: ByteView($0)) }
        if let type = headers["Content-Type"],
            HttpText.lowercased(HttpText.trimmed(type.prefix { $0 != ";" })) == "multipart/form-data",
            let boundary = MultipartParser.boundary(of: type)
        {
            multipart = MultipartStream(boundary: boundary, settings: settings)
        }
    }

    /// True once the whole body has been appended.
    var isComplete: Bool { chunked?.isComplete ?? (remaining == 0) }

    /// How many bytes at the start of `buffer`, `limit` at most, are the next piece of the body:
    /// all of them up to the body's end. Changes nothing (a chunked body is measured on a copy of its
    /// decoder); throws when the bytes break the chunked framing.
    func nextPieceLength(in buffer: ByteView, limit: Int) throws(HttpError) -> Int {
        let available = min(buffer.count, limit)
        guard var decoder = chunked else { return min(available, remaining) }
        return try decoder.measure(buffer.slice(0..<available))
    }

    /// Takes the next piece, as `nextPieceLength` measured it.
    func append(_ piece: ByteView) throws(HttpError) {
        guard chunked != nil else {
            remaining -= piece.count
            try store(piece)
            return
        }
        _ = try chunked!.decode(piece) { payload throws(HttpError) in try store(payload) }
        if chunked!.isComplete { trailers = try chunked!.trailers() }
    }

    /// Hands payload bytes to the multipart parser or the raw buffer.
    private func store(_ payload: ByteView) throws(HttpError) {
        size += payload.count
        if multipart != nil {
            multipart!.feed(payload.buffer)
            return
        }
        raw.append(payload.buffer)
        if raw.failed { throw HttpError(500, "cannot store the request body in \(directory)") }
    }

    /// What the body became, once `isComplete`: a form with its files, or the raw bytes (in a
    /// temporary file when they outgrew memory).
    func finish() -> (form: (FormParameters, [UploadedFile])?, file: TemporaryFile?, bytes: [UInt8]) {
        if multipart != nil { return (multipart!.finish(), nil, []) }
        raw.finish()
        return (nil, raw.file, raw.bytes)
    }
}
