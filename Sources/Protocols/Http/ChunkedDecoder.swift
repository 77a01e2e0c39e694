import WorkermanCore

/// Removes the chunked transfer coding from a request body (RFC 9112 §7.1) as its bytes arrive: any
/// prefix of the body can be fed, the next call resumes where the last one stopped (halfway through
/// a size line, a chunk or a trailer line), and feeding stops at the body's end.
///
/// `Http.input` runs it without keeping anything to find where a body ends (on a copy, so that the
/// decoder of the request is left untouched); `Http.decode` runs it to hand the payload on and keep
/// the trailer section. The payload may total the Worker's `http.maxBodySize` (413 beyond), the
/// trailer section its `http.maxHeaderSize` (431 beyond).
struct ChunkedDecoder {
    private enum Phase {
        /// The hex digits of a chunk size.
        case size
        /// Spaces or tabs after the size.
        case sizeSpace
        /// A chunk extension (";name=value"), up to the CR.
        case sizeExtension
        /// The LF after the size line's CR.
        case sizeLineFeed
        /// The chunk's bytes (`chunkSize` still to come).
        case data
        /// The CR after a chunk's bytes.
        case dataCarriageReturn
        /// The LF after a chunk's bytes.
        case dataLineFeed
        /// The trailer section's lines, up to the empty one.
        case trailer
        /// The body has ended.
        case done
    }

    /// The longest chunk-size line (with extensions, without its LF) accepted.
    static let maxSizeLineLength = 4096

    /// The largest payload and trailer section accepted.
    private let maxPayload: Int
    private let maxTrailer: Int
    private var phase = Phase.size
    /// The size being read in a size line, then the bytes of the chunk still to come.
    private var chunkSize = 0
    /// The hex digits of the size line read so far.
    private var digits = 0
    /// The bytes of the current size line or trailer line before its LF.
    private var lineLength = 0
    /// True when the last byte of the trailer section was a CR.
    private var afterCarriageReturn = false
    /// The payload bytes announced so far (the sizes of the chunks begun).
    private(set) var payloadSize = 0
    /// The body bytes fed so far.
    private(set) var consumed = 0
    /// The bytes of the trailer section seen so far.
    private var trailerSize = 0
    /// The trailer section kept by `decode`, ending with its empty line.
    private var trailerBytes: [UInt8] = []

    /// A decoder for a body within `settings`' `maxBodySize` and `maxHeaderSize` (for its trailers).
    init(settings: HttpSettings) {
        maxPayload = settings.maxBodySize
        maxTrailer = settings.maxHeaderSize
    }

    /// True once the body's last chunk and trailer section have been read.
    var isComplete: Bool {
        if case .done = phase { return true }
        return false
    }

    /// Reads `bytes` without keeping anything; returns how many of them belong to the body (all of
    /// them unless it ends within them).
    mutating func measure(_ bytes: ByteView) throws(HttpError) -> Int {
        try consume(bytes, keepingTrailers: false) { _ throws(HttpError) in }
    }

    /// Reads `bytes`, calls `payload` with each run of payload bytes and keeps the trailer section;
    /// returns how many of them belong to the body (all of them unless it ends within them).
    mutating func decode(_ bytes: ByteView, payload: (ByteView) throws(HttpError) -> Void) throws(HttpError) -> Int {
        try consume(bytes, keepingTrailers: true, payload: payload)
    }

    /// The trailer fields, once `decode` has read the whole body.
    func trailers() throws(HttpError) -> HttpHeaders {
        let parsed = trailerBytes.withUnsafeBytes { raw in
            var position = 0
            return Result { () throws(HttpError) in try HttpHeadParser.parseFields(ByteView(raw), from: &position) }
        }
        return try parsed.get()
    }

    /// The payload and the trailer fields of a complete chunked body (one that `measure` found whole).
    static func decodeComplete(_ body: ByteView, settings: HttpSettings) throws(HttpError) -> (
        payload: [UInt8], trailers: HttpHeaders
    ) {
        var decoder = ChunkedDecoder(settings: settings)
        var payload: [UInt8] = []
        payload.reserveCapacity(body.count)
        _ = try decoder.decode(body) { run throws(HttpError) in payload.append(contentsOf: run.buffer) }
        guard decoder.isComplete else { throw HttpError(400, "truncated chunked body") }
        return (payload, try decoder.trailers())
    }

    private mutating func consume(
        _ bytes: ByteView, keepingTrailers: Bool, payload: (ByteView) throws(HttpError) -> Void
    ) throws(HttpError) -> Int {
        var position = 0
        while position < bytes.count && !isComplete {
            switch phase {
            case .data:
                let run = min(chunkSize, bytes.count - position)
                try payload(bytes.slice(position..<(position + run)))
                position += run
                chunkSize -= run
                if chunkSize == 0 { phase = .dataCarriageReturn }
            case .trailer:
                let start = position
                position = try readTrailer(bytes, from: position)
                if keepingTrailers { trailerBytes.append(contentsOf: bytes.slice(start..<position).buffer) }
            default:
                try read(bytes[position])
                position += 1
            }
        }
        consumed += position
        return position
    }

    /// Moves on by one byte of a size line or of the CRLF after a chunk's bytes.
    private mutating func read(_ byte: UInt8) throws(HttpError) {
        switch phase {
        case .dataCarriageReturn, .dataLineFeed:
            let expected: UInt8 = phase == .dataCarriageReturn ? 0x0d : 0x0a
            guard byte == expected else { throw HttpError(400, "chunk data not followed by CRLF") }
            phase = phase == .dataCarriageReturn ? .dataLineFeed : .size
        case .sizeLineFeed:
            guard byte == 0x0a else { throw HttpError(400, "chunk size line without CRLF") }
            try endSizeLine()
        default:
            try readSizeLine(byte)
        }
    }

    /// Moves on by one byte of a size line before its LF: 1 to 15 hex digits, optional spaces,
    /// optional extensions (";name=value"), CR.
    private mutating func readSizeLine(_ byte: UInt8) throws(HttpError) {
        lineLength += 1
        if lineLength > Self.maxSizeLineLength { throw HttpError(400, "chunk size line too long") }
        if byte == 0x0a { throw HttpError(400, "chunk size line without CRLF") }
        if byte == 0x0d {
            guard digits > 0 else { throw HttpError(400, "invalid chunk size") }
            phase = .sizeLineFeed
            return
        }
        if phase == .size, let digit = HttpText.hexValue(byte) {
            guard digits < 15 else { throw HttpError(413, "chunk size too large") }
            chunkSize = chunkSize * 16 + digit
            digits += 1
            return
        }
        switch phase {
        case .size, .sizeSpace:
            guard digits > 0 else { throw HttpError(400, "invalid chunk size") }
            if byte == 0x20 || byte == 0x09 {
                phase = .sizeSpace
            } else {
                guard byte == UInt8(ascii: ";") else { throw HttpError(400, "invalid chunk size") }
                phase = .sizeExtension
            }
        default:
            guard HttpText.isFieldValueByte(byte) else { throw HttpError(400, "invalid byte in a chunk extension") }
        }
    }

    /// Starts the chunk the size line announced, or the trailer section after the last chunk.
    private mutating func endSizeLine() throws(HttpError) {
        guard chunkSize <= maxPayload - payloadSize else {
            throw HttpError(413, "chunked body over \(maxPayload) bytes")
        }
        payloadSize += chunkSize
        phase = chunkSize == 0 ? .trailer : .data
        digits = 0
        lineLength = 0
    }

    /// Reads trailer bytes from `start` up to the end of the section or of `bytes`; returns where it stopped.
    private mutating func readTrailer(_ bytes: ByteView, from start: Int) throws(HttpError) -> Int {
        var position = start
        while position < bytes.count {
            let byte = bytes[position]
            position += 1
            trailerSize += 1
            if trailerSize > maxTrailer { throw HttpError(431, "trailer section too large") }
            guard byte == 0x0a else {
                afterCarriageReturn = byte == 0x0d
                lineLength += 1
                continue
            }
            guard afterCarriageReturn else { throw HttpError(400, "a trailer line ends with a bare LF") }
            if lineLength == 1 {
                phase = .done
                return position
            }
            lineLength = 0
            afterCarriageReturn = false
        }
        return position
    }
}
