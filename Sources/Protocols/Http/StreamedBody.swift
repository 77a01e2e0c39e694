import WorkerCore

/// A request body too large to arrive as one packet (over `Http.uploadMemoryLimit`), received piece
/// by piece as `Http.input` cuts them: a `multipart/form-data` body straight into `MultipartStream`
/// (files into temporary files), any other body into a temporary file.
final class StreamedBody {
    /// Body bytes still to come (Content-Length framing).
    private(set) var remaining: Int
    /// The parser of a multipart body; nil for other bodies.
    private var multipart: MultipartStream?
    /// The bytes of a body that is not multipart.
    private var raw = SpillingBuffer()

    /// A receiver for the `length` body bytes announced by `head`.
    init(length: Int, head: HttpRequestHead) {
        remaining = length
        if let type = head.headers["Content-Type"],
            HttpText.lowercased(HttpText.trimmed(type.prefix { $0 != ";" })) == "multipart/form-data",
            let boundary = MultipartParser.boundary(of: type)
        {
            multipart = MultipartStream(boundary: boundary)
        }
    }

    /// Takes the next piece (never more than `remaining` bytes).
    func append(_ piece: ByteView) throws(HttpError) {
        remaining -= piece.count
        if multipart != nil {
            multipart!.feed(piece.buffer)
            return
        }
        raw.append(piece.buffer)
        if raw.failed { throw HttpError(500, "cannot store the request body in \(Http.uploadDirectory)") }
    }

    /// What the body became, once `remaining` is 0: a form with its files, or the raw bytes (in a
    /// temporary file when they outgrew memory).
    func finish() -> (form: (FormParameters, [UploadedFile])?, file: TemporaryFile?, bytes: [UInt8]) {
        if multipart != nil { return (multipart!.finish(), nil, []) }
        raw.finish()
        return (nil, raw.file, raw.bytes)
    }
}
