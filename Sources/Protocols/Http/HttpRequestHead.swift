import WorkermanCore

/// What `Http.input` learns from a request head: how its body is framed, whether the connection
/// stays open, and where the request line's parts are. Only numbers and flags (no Strings, no
/// arrays): making, moving and forgetting one costs no reference counting; the `Request` decodes the
/// parts from the head's bytes when they are asked for.
struct HttpRequestHead {
    /// How the body is delimited.
    enum Framing: Equatable {
        case none
        case contentLength(Int)
        case chunked
    }

    var framing: Framing = .none
    /// `length` and `start`, stored in 32 bits (a head is at most `maxHeaderSize` bytes).
    var storedLength: Int32 = 0
    var storedStart: Int32 = 0
    /// Where the method and the target end, counted from `start` (the target starts after the
    /// method's space; the fields start after the target's space, the 8 bytes of the version and
    /// CRLF).
    var methodEnd: Int32
    var targetEnd: Int32
    /// The minor version digit: 1 for "HTTP/1.1", 0 for "HTTP/1.0".
    var minorVersion: UInt8
    /// True when the method is HEAD.
    var isHead: Bool
    /// True when the client asked to keep the connection open (1.1 without `close`, 1.0 with `keep-alive`).
    var keepAlive = true
    /// True for `Expect: 100-continue`.
    var expectsContinue = false

    /// The bytes of the head, the final empty line included (leading empty lines too).
    var length: Int {
        get { Int(storedLength) }
        set { storedLength = Int32(clamping: newValue) }
    }
    /// Where the request line starts (after any leading empty lines).
    var start: Int {
        get { Int(storedStart) }
        set { storedStart = Int32(clamping: newValue) }
    }

    /// Where the target starts, counted from `start`.
    var targetStart: Int32 { methodEnd + 1 }
    /// Where the header fields start, counted from `start`.
    var fieldsStart: Int32 { targetEnd + 11 }

    /// True for "HTTP/1.1".
    var isHttp11: Bool { minorVersion == 1 }
    /// True for "HTTP/1.0".
    var isHttp10: Bool { minorVersion == 0 }

    /// The header fields, decoded from `bytes`: the head from its request line on, as parsed.
    func headers(in bytes: ByteView) -> HttpHeaders {
        var position = Int(fieldsStart)
        return (try? HttpHeadParser.parseFields(bytes, from: &position)) ?? HttpHeaders()
    }
}

/// Parses a request head, strictly: RFC 9112 where Workerman is loose.
enum HttpHeadParser {
    /// What the fields that `validate` rules on said, gathered from their bytes while they are parsed
    /// (so that no header is looked up by name afterwards).
    struct FieldSummary {
        var hostCount = 0
        /// The first Host value passes `isValidHost`.
        var hostIsValid = true
        var lengthCount = 0
        /// The first Content-Length value, when it is 1 to 18 digits.
        var length: Int?
        var encodingCount = 0
        /// The first Transfer-Encoding value is "chunked" (any case, spaces around it ignored).
        var encodingIsChunked = false
        /// Connection lists "close" / "keep-alive".
        var connectionClose = false
        var connectionKeepAlive = false
        var expectCount = 0
        /// The first Expect value is "100-continue" (any case).
        var expectsContinue = false
    }

    /// Parses and checks `view`, which ends with the "\r\n\r\n" that closes the head: every rule is
    /// applied here, but no String is made (see `HttpRequestHead`).
    static func parse(_ view: ByteView) throws(HttpError) -> HttpRequestHead {
        // RFC 9112 §2.2: a server SHOULD ignore at least one empty line before the request line.
        let start = HttpText.leadingEmptyLines(in: view)
        var head = try parseRequestLine(view.dropping(first: start))
        head.start = start
        var position = start + Int(head.fieldsStart)
        var summary = FieldSummary()
        try forEachField(view, from: &position) { name, value in
            summarize(name: name.buffer, value: value.buffer, into: &summary)
        }
        head.length = position
        try validate(&head, summary)
        return head
    }

    /// Parses header field lines up to and including the empty line; used for trailers too.
    static func parseFields(_ view: ByteView, from position: inout Int) throws(HttpError) -> HttpHeaders {
        var headers = HttpHeaders()
        try forEachField(view, from: &position) { name, value in
            headers.append(parsed: Self.string(name, commonIn: .fieldName), value.string)
        }
        return headers
    }

    /// Checks the field lines from `position` up to and including the empty line, calling `body` with
    /// each one's name and value (spaces and tabs trimmed); leaves `position` after the empty line.
    /// One pass over each line: its name must be a token followed by ":", its value bytes allowed
    /// ones, and the line must end with CRLF (a bare CR or LF is an error).
    @inline(__always)
    private static func forEachField(
        _ view: ByteView, from position: inout Int, _ body: (_ name: ByteView, _ value: ByteView) -> Void
    ) throws(HttpError) {
        let bytes = view.buffer
        let count = bytes.count
        var index = position
        while true {
            guard index + 1 < count else { throw HttpError(400, "unterminated line") }
            if bytes[index] == 0x0d && bytes[index + 1] == 0x0a {  // the empty line ending the section
                position = index + 2
                return
            }
            let lineStart = index
            while index < count && HttpText.isToken(bytes[index]) { index += 1 }
            guard index > lineStart, index < count, bytes[index] == UInt8(ascii: ":") else {
                throw fieldNameError(bytes, lineStart: lineStart, stop: index)
            }
            let colon = index
            index += 1
            while index < count && (bytes[index] == 0x20 || bytes[index] == 0x09) { index += 1 }
            let valueStart = index
            while index < count && HttpText.isFieldValueByte(bytes[index]) { index += 1 }
            guard index + 1 < count, bytes[index] == 0x0d, bytes[index + 1] == 0x0a else {
                if index < count && bytes[index] == 0x0a { throw HttpError(400, "a line ends with a bare LF") }
                throw HttpError(400, "invalid byte in a header value")
            }
            var valueEnd = index
            while valueEnd > valueStart && (bytes[valueEnd - 1] == 0x20 || bytes[valueEnd - 1] == 0x09) {
                valueEnd -= 1
            }
            body(view.slice(lineStart..<colon), view.slice(valueStart..<valueEnd))
            index += 2
        }
    }

    /// Why a field line whose name ends at `stop` without a colon after it is refused.
    private static func fieldNameError(_ bytes: UnsafeRawBufferPointer, lineStart: Int, stop: Int) -> HttpError {
        let first = bytes[lineStart]
        if first == 0x20 || first == 0x09 { return HttpError(400, "obsolete line folding") }
        if stop < bytes.count && (bytes[stop] == 0x0a || (bytes[stop] == 0x0d && stop == lineStart)) {
            return HttpError(400, "a line ends with a bare LF")
        }
        if stop == bytes.count || bytes[stop] == 0x0d || bytes[stop] == UInt8(ascii: ":") {
            return HttpError(400, "a header line without a colon")
        }
        return HttpError(400, "invalid header name")
    }

    /// Where `string(_:commonIn:)` looks for a common spelling.
    enum CommonWords {
        case method, fieldName
    }

    /// The bytes as a String: a literal when they spell a common method or field name exactly (nothing
    /// to decode or allocate), else decoded.
    static func string(_ view: ByteView, commonIn words: CommonWords) -> String {
        func spells(_ word: StaticString) -> Bool { Self.spells(view, word) }
        switch (words, view.count) {
        case (.method, 3) where spells("GET"): return "GET"
        case (.method, 4) where spells("POST"): return "POST"
        case (.method, 4) where spells("HEAD"): return "HEAD"
        case (.fieldName, 4) where spells("Host"): return "Host"
        case (.fieldName, 6) where spells("Accept"): return "Accept"
        case (.fieldName, 6) where spells("Cookie"): return "Cookie"
        case (.fieldName, 10) where spells("User-Agent"): return "User-Agent"
        case (.fieldName, 10) where spells("Connection"): return "Connection"
        case (.fieldName, 12) where spells("Content-Type"): return "Content-Type"
        case (.fieldName, 14) where spells("Content-Length"): return "Content-Length"
        case (.fieldName, 15) where spells("Accept-Encoding"): return "Accept-Encoding"
        case (.fieldName, 15) where spells("Accept-Language"): return "Accept-Language"
        default: return view.string
        }
    }

    /// Checks the request line at the start of `line` (the rest of the head follows it); the head it
    /// returns has its offsets, from the line's start, and version (`start` and `length` are the
    /// caller's to set). Scanned once: method, space, target, space, version, CRLF.
    private static func parseRequestLine(_ line: ByteView) throws(HttpError) -> HttpRequestHead {
        let bytes = line.buffer
        var index = 0
        while index < bytes.count && HttpText.isToken(bytes[index]) { index += 1 }
        let firstSpace = index
        guard firstSpace > 0, firstSpace < bytes.count, bytes[firstSpace] == 0x20 else {
            throw HttpError(400, firstSpace > 0 ? "malformed method" : "malformed request line")
        }
        index += 1
        while index < bytes.count && bytes[index] > 0x20 && bytes[index] != 0x7f { index += 1 }
        let secondSpace = index
        guard secondSpace > firstSpace + 1, secondSpace < bytes.count, bytes[secondSpace] == 0x20 else {
            throw HttpError(400, "malformed request line or invalid byte in the request target")
        }
        let lineEnd = secondSpace + 9
        guard lineEnd + 1 < bytes.count, bytes[lineEnd] == 0x0d, bytes[lineEnd + 1] == 0x0a else {
            if let lf = line.firstIndex(of: 0x0a), lf == 0 || bytes[lf - 1] != 0x0d {
                throw HttpError(400, "a line ends with a bare LF")
            }
            throw HttpError(400, "malformed HTTP version")
        }
        let versionBytes = line.slice((secondSpace + 1)..<lineEnd)
        guard spells(versionBytes.slice(0..<5), "HTTP/"), versionBytes[6] == UInt8(ascii: "."),
            isDigit(versionBytes[5]), isDigit(versionBytes[7])
        else { throw HttpError(400, "malformed HTTP version") }
        guard versionBytes[5] == UInt8(ascii: "1") else { throw HttpError(505, "only HTTP/1.x is served") }
        let method = line.slice(0..<firstSpace)
        let target = line.slice((firstSpace + 1)..<secondSpace)
        guard
            isOriginForm(target) || (target.count == 1 && target[0] == UInt8(ascii: "*") && spells(method, "OPTIONS"))
                || isAbsoluteForm(target)
        else {
            throw HttpError(400, "the request target is not origin-form")
        }
        return HttpRequestHead(
            methodEnd: Int32(firstSpace), targetEnd: Int32(secondSpace), minorVersion: versionBytes[7] - 0x30,
            isHead: spells(method, "HEAD"))
    }

    /// True when `bytes` are exactly `word` (ASCII).
    @inline(__always)
    private static func spells(_ bytes: ByteView, _ word: StaticString) -> Bool {
        let count = word.utf8CodeUnitCount
        guard bytes.count == count else { return false }
        let expected = word.utf8Start
        for index in 0..<count where bytes[index] != expected[index] { return false }
        return true
    }

    @inline(__always)
    private static func isDigit(_ byte: UInt8) -> Bool { byte &- 0x30 < 10 }

    /// True when the target begins with "/" (as a Character: a combining mark after it makes another one).
    private static func isOriginForm(_ bytes: ByteView) -> Bool {
        guard bytes[0] == UInt8(ascii: "/") else { return false }
        return bytes.count == 1 || bytes[1] < 0x80 || bytes.string.hasPrefix("/")
    }

    /// True when the target begins with "http://" or "https://" in any ASCII case, as Characters (a
    /// combining mark after the last "/" makes another Character: then the String decides).
    private static func isAbsoluteForm(_ bytes: ByteView) -> Bool {
        let prefix: Int
        if bytes.count >= 7 && HttpText.equals(bytes.slice(0..<7).buffer, lowercase: "http://") {
            prefix = 7
        } else if bytes.count >= 8 && HttpText.equals(bytes.slice(0..<8).buffer, lowercase: "https://") {
            prefix = 8
        } else {
            return false
        }
        guard bytes.count > prefix, bytes[prefix] >= 0x80 else { return true }
        let lower = HttpText.lowercased(bytes.string.prefix(8))
        return lower.hasPrefix("http://") || lower.hasPrefix("https://")
    }

    /// Notes what a Host, Content-Length, Transfer-Encoding, Connection or Expect field says. The
    /// value is already trimmed; the rules are those `HttpHeaders` applies to the decoded Strings.
    private static func summarize(
        name: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer, into summary: inout FieldSummary
    ) {
        switch name.count {
        case 4 where HttpText.equals(name, lowercase: "host"):
            if summary.hostCount == 0 { summary.hostIsValid = isValidHost(value) }
            summary.hostCount += 1
        case 14 where HttpText.equals(name, lowercase: "content-length"):
            if summary.lengthCount == 0 { summary.length = parseContentLength(value) }
            summary.lengthCount += 1
        case 17 where HttpText.equals(name, lowercase: "transfer-encoding"):
            if summary.encodingCount == 0 {
                summary.encodingIsChunked = HttpText.equals(HttpText.trimmed(value), lowercase: "chunked")
            }
            summary.encodingCount += 1
        case 10 where HttpText.equals(name, lowercase: "connection"):
            if HttpText.isASCII(value) {
                summary.connectionClose =
                    summary.connectionClose || HttpText.listContains(value) { HttpText.equals($0, lowercase: "close") }
                summary.connectionKeepAlive =
                    summary.connectionKeepAlive
                    || HttpText.listContains(value) { HttpText.equals($0, lowercase: "keep-alive") }
            } else {  // split by Characters, as `HttpHeaders.hasToken` does
                let text = String(decoding: value, as: UTF8.self)
                summary.connectionClose = summary.connectionClose || HttpHeaders.listsToken("close", in: text)
                summary.connectionKeepAlive =
                    summary.connectionKeepAlive || HttpHeaders.listsToken("keep-alive", in: text)
            }
        case 6 where HttpText.equals(name, lowercase: "expect"):
            if summary.expectCount == 0 { summary.expectsContinue = HttpText.equals(value, lowercase: "100-continue") }
            summary.expectCount += 1
        default:
            break
        }
    }

    /// Host, framing and connection rules of RFC 9112 §3.2, §6 and §9.
    private static func validate(_ head: inout HttpRequestHead, _ fields: FieldSummary) throws(HttpError) {
        if fields.hostCount > 1 { throw HttpError(400, "more than one Host") }
        if head.isHttp11 && fields.hostCount == 0 { throw HttpError(400, "HTTP/1.1 without Host") }
        if fields.hostCount == 1 && !fields.hostIsValid { throw HttpError(400, "invalid Host") }

        if fields.encodingCount > 0 {
            guard fields.lengthCount == 0 else { throw HttpError(400, "both Content-Length and Transfer-Encoding") }
            guard head.isHttp11 else { throw HttpError(400, "Transfer-Encoding on HTTP/1.0") }
            guard fields.encodingCount == 1, fields.encodingIsChunked else {
                throw HttpError(501, "only the chunked transfer coding is supported")
            }
            head.framing = .chunked
        } else if fields.lengthCount > 0 {
            guard fields.lengthCount == 1, let length = fields.length else {
                throw HttpError(400, "invalid Content-Length")
            }
            head.framing = length > 0 ? .contentLength(length) : .none
        }
        let close = fields.connectionClose
        head.keepAlive = head.isHttp11 ? !close : fields.connectionKeepAlive && !close
        if fields.expectCount > 0 {
            guard fields.expectsContinue else { throw HttpError(417, "unknown expectation") }
            head.expectsContinue = head.isHttp11
        }
    }

    /// 1 to 18 ASCII digits (so that it fits an Int); nil otherwise.
    private static func parseContentLength(_ digits: UnsafeRawBufferPointer) -> Int? {
        guard !digits.isEmpty, digits.count <= 18 else { return nil }
        var value = 0
        for digit in digits {
            guard digit >= 0x30 && digit <= 0x39 else { return nil }
            value = value * 10 + Int(digit - 0x30)
        }
        return value
    }

    /// A reg-name, IPv4 or bracketed IPv6 host with an optional port: no spaces, slashes or controls.
    /// The bytes `isValidHost` allows, as two bit sets (bytes 0-63, 64-127): 0x21-0x7e but for
    /// "#", "/", "?" (low) and "@", "\\" (high).
    private static let hostLow: UInt64 = 0x7fff_7ff6_0000_0000
    private static let hostHigh: UInt64 = 0x7fff_ffff_efff_fffe

    private static func isValidHost(_ host: UnsafeRawBufferPointer) -> Bool {
        for byte in host where !HttpText.isMember(byte, low: hostLow, high: hostHigh) { return false }
        return true
    }
}
