/// What encoding a response needs to know of its header fields, found in one pass over them, so
/// that a list of fields sent again and again is validated once (see `ResponseFieldCache`).
/// Trivially copyable: no reference counting when it is passed around.
struct ResponseFieldSummary {
    /// A field that cannot be sent.
    enum Problem: Equatable {
        /// The name of field `index` is not a token.
        case name(index: Int)
        /// The value of field `index` holds CR, LF or NUL.
        case value(index: Int)

        /// What is wrong, for the log.
        func description(in fields: [(name: String, value: String)]) -> String {
            switch self {
            case .name(let index): return "header name '\(fields[index].name)'"
            case .value(let index): return "CR, LF or NUL in \(fields[index].name)"
            }
        }
    }

    /// Why a field cannot be sent (the first such field), or nil.
    var problem: Problem?
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
        for index in fields.indices {
            note(fields[index].name, fields[index].value, at: index)
            if problem != nil { return }
        }
    }

    /// Takes field `index` into account.
    private mutating func note(_ name: String, _ value: String, at index: Int) {
        var name = name
        var value = value
        // One pass over each (withUTF8 lends a native or small string's bytes without a copy).
        let kind = name.withUTF8 { bytes -> ResponseFieldName? in
            guard !bytes.isEmpty, bytes.allSatisfy(HttpText.isToken) else { return nil }
            return ResponseFieldName(UnsafeRawBufferPointer(bytes))
        }
        guard let kind else {
            problem = .name(index: index)
            return
        }
        if value.withUTF8({ $0.contains { $0 == 0x0d || $0 == 0x0a || $0 == 0 } }) {
            problem = .value(index: index)
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
