/// What encoding a response needs to know of its header fields, found in one pass over them when
/// the fields are set (`HttpHeaders` keeps it), so that a response is validated once, not per send.
struct ResponseFieldSummary {
    /// Why a field cannot be sent (the first such field), or nil.
    var problem: String?
    var hasServer = false
    var hasDate = false
    var hasContentType = false
    /// A `Content-Length`, `Connection` or `Transfer-Encoding` field is present: the encoder writes
    /// its own, so it must look at each field's name while writing them.
    var hasFramingField = false
    /// `Connection` lists `close`.
    var closes = false
    /// The (first) `Content-Type` is `text/event-stream`: the head goes out, events follow.
    var isEventStream = false
    /// `Transfer-Encoding` lists `chunked`: the application sends `Chunk`s, an empty one ends them.
    var isChunked = false

    init(_ fields: [(name: String, value: String)]) {
        for (name, value) in fields { note(name, value) }
    }

    /// Takes one more field into account.
    mutating func note(_ name: String, _ value: String) {
        guard problem == nil else { return }
        var name = name
        var value = value
        // One pass over each (withUTF8 lends a native or small string's bytes without a copy).
        let kind = name.withUTF8 { bytes -> ResponseFieldName? in
            guard !bytes.isEmpty, bytes.allSatisfy(HttpText.isToken) else { return nil }
            return ResponseFieldName(UnsafeRawBufferPointer(bytes))
        }
        guard let kind else {
            problem = "header name '\(name)'"
            return
        }
        if value.withUTF8({ $0.contains { $0 == 0x0d || $0 == 0x0a || $0 == 0 } }) {
            problem = "CR, LF or NUL in \(name)"
            return
        }
        switch kind {
        case .server: hasServer = true
        case .date: hasDate = true
        case .contentType:
            if !hasContentType { isEventStream = Self.isEventStream(value) }
            hasContentType = true
        case .connection:
            hasFramingField = true
            closes = closes || HttpHeaders.listsToken("close", in: value)
        case .transferEncoding:
            hasFramingField = true
            isChunked = isChunked || HttpHeaders.listsToken("chunked", in: value)
        case .contentLength: hasFramingField = true
        case .other: break
        }
    }

    /// True when `contentType` begins with "text/event-stream" in any case.
    private static func isEventStream(_ contentType: String) -> Bool {
        let prefix: StaticString = "text/event-stream"
        guard contentType.utf8.count >= prefix.utf8CodeUnitCount else { return false }
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

/// The response header names the encoder treats specially, recognised in any case.
enum ResponseFieldName {
    case server, date, contentType, contentLength, connection, transferEncoding, other

    init(_ name: String) {
        self = HttpText.withBytes(of: name) { Self($0) }
    }

    init(_ bytes: UnsafeRawBufferPointer) {
        switch bytes.count {
        case 4 where HttpText.equals(bytes, lowercase: "date"): self = .date
        case 6 where HttpText.equals(bytes, lowercase: "server"): self = .server
        case 10 where HttpText.equals(bytes, lowercase: "connection"): self = .connection
        case 12 where HttpText.equals(bytes, lowercase: "content-type"): self = .contentType
        case 14 where HttpText.equals(bytes, lowercase: "content-length"): self = .contentLength
        case 17 where HttpText.equals(bytes, lowercase: "transfer-encoding"): self = .transferEncoding
        default: self = .other
        }
    }
}
