import WorkerCore

/// Finds where a chunked request body ends (RFC 9112 §7.1), resuming where the last call stopped
/// as more bytes arrive, and reads the body and trailers out of a complete one.
struct ChunkedBodyScanner {
    private enum Phase {
        case size
        case data(remaining: Int)
        case dataEnd
        case trailer
    }

    /// The longest chunk-size line (with extensions) accepted.
    static let maxSizeLineLength = 4096

    private var phase = Phase.size
    private var position = 0
    private var payloadBytes = 0
    private var trailerStart = 0

    /// The length of the chunked body at the start of `body` once it is complete; nil while more
    /// is needed. `body` must start where it started in the previous calls.
    mutating func scan(_ body: ByteView, maxPayload: Int, maxTrailer: Int) throws(HttpError) -> Int? {
        while true {
            switch phase {
            case .size:
                guard let lf = body.firstIndex(of: 0x0a, from: position) else {
                    if body.count - position > Self.maxSizeLineLength {
                        throw HttpError(400, "chunk size line too long")
                    }
                    return nil
                }
                let size = try Self.chunkSize(body, from: position, lineFeed: lf)
                payloadBytes += size
                if payloadBytes > maxPayload { throw HttpError(413, "chunked body over maxPackageSize") }
                position = lf + 1
                if size == 0 {
                    trailerStart = position
                    phase = .trailer
                } else {
                    phase = .data(remaining: size)
                }
            case .data(let remaining):
                let available = body.count - position
                guard available >= remaining else {
                    position += available
                    phase = .data(remaining: remaining - available)
                    return nil
                }
                position += remaining
                phase = .dataEnd
            case .dataEnd:
                guard body.count - position >= 2 else { return nil }
                guard body[position] == 0x0d && body[position + 1] == 0x0a else {
                    throw HttpError(400, "chunk data not followed by CRLF")
                }
                position += 2
                phase = .size
            case .trailer:
                guard let lf = body.firstIndex(of: 0x0a, from: position) else {
                    if body.count - trailerStart > maxTrailer { throw HttpError(431, "trailer section too large") }
                    return nil
                }
                guard lf > position, body[lf - 1] == 0x0d else {
                    throw HttpError(400, "a trailer line ends with a bare LF")
                }
                let empty = lf == position + 1
                position = lf + 1
                if position - trailerStart > maxTrailer { throw HttpError(431, "trailer section too large") }
                if empty { return position }
            }
        }
    }

    /// The size on the line from `start` to the LF at `lineFeed`: 1 to 15 hex digits, then optional
    /// extensions (`;name=value`), then CRLF.
    private static func chunkSize(_ body: ByteView, from start: Int, lineFeed: Int) throws(HttpError) -> Int {
        guard lineFeed > start, body[lineFeed - 1] == 0x0d else { throw HttpError(400, "chunk size line without CRLF") }
        let end = lineFeed - 1
        var index = start
        var size = 0
        while index < end, let digit = HttpText.hexValue(body[index]) {
            if index - start >= 15 { throw HttpError(413, "chunk size too large") }
            size = size * 16 + digit
            index += 1
        }
        guard index > start else { throw HttpError(400, "invalid chunk size") }
        while index < end && (body[index] == 0x20 || body[index] == 0x09) { index += 1 }
        if index < end {
            guard body[index] == UInt8(ascii: ";") else { throw HttpError(400, "invalid chunk size") }
            for extensionIndex in index..<end where !HttpText.isFieldValueByte(body[extensionIndex]) {
                throw HttpError(400, "invalid byte in a chunk extension")
            }
        }
        return size
    }

    /// The payload and the trailer fields of a complete chunked body.
    static func decode(_ body: ByteView) throws(HttpError) -> (payload: [UInt8], trailers: HttpHeaders) {
        var payload: [UInt8] = []
        var position = 0
        while true {
            guard let lf = body.firstIndex(of: 0x0a, from: position) else { throw HttpError(400, "truncated chunk") }
            let size = try chunkSize(body, from: position, lineFeed: lf)
            position = lf + 1
            if size == 0 { break }
            payload.append(contentsOf: body.slice(position..<(position + size)).buffer)
            position += size + 2
        }
        let trailers = try HttpHeadParser.parseFields(body, from: &position)
        return (payload, trailers)
    }
}
