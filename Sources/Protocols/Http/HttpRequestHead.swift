import WorkerCore

/// A parsed request line and header section (RFC 9112 §3 and §5), with the framing it announces.
struct HttpRequestHead {
    /// How the body is delimited.
    enum Framing: Equatable {
        case none
        case contentLength(Int)
        case chunked
    }

    var method: String
    var target: String
    /// "1.1" or "1.0".
    var version: String
    var headers: HttpHeaders
    var framing: Framing
    /// True when the client asked to keep the connection open (1.1 without `close`, 1.0 with `keep-alive`).
    var keepAlive: Bool
    /// True for `Expect: 100-continue`.
    var expectsContinue: Bool
    /// The bytes of the head, the final empty line included (leading empty lines too).
    var length: Int
}

/// Parses a request head, strictly: RFC 9112 where Workerman is loose.
enum HttpHeadParser {
    /// Parses `view`, which ends with the "\r\n\r\n" that closes the head.
    static func parse(_ view: ByteView) throws(HttpError) -> HttpRequestHead {
        var position = 0
        // RFC 9112 §2.2: a server SHOULD ignore at least one empty line before the request line.
        while position + 1 < view.count && view[position] == 0x0d && view[position + 1] == 0x0a { position += 2 }
        let lineEnd = try lineEnd(in: view, from: position)
        let (method, target, version) = try parseRequestLine(view.slice(position..<lineEnd))
        position = lineEnd + 2
        let headers = try parseFields(view, from: &position)
        var head = HttpRequestHead(
            method: method, target: target, version: version, headers: headers, framing: .none,
            keepAlive: true, expectsContinue: false, length: position)
        try validate(&head)
        return head
    }

    /// Parses header field lines up to and including the empty line; used for trailers too.
    static func parseFields(_ view: ByteView, from position: inout Int) throws(HttpError) -> HttpHeaders {
        var headers = HttpHeaders()
        while true {
            let end = try lineEnd(in: view, from: position)
            if end == position {
                position += 2
                return headers
            }
            let (name, value) = try parseField(view.slice(position..<end))
            headers.add(name, value)
            position = end + 2
        }
    }

    /// The index of the CR of the CRLF ending the line at `start`; a bare CR or LF is an error.
    private static func lineEnd(in view: ByteView, from start: Int) throws(HttpError) -> Int {
        guard let lf = view.firstIndex(of: 0x0a, from: start) else { throw HttpError(400, "unterminated line") }
        guard lf > start, view[lf - 1] == 0x0d else { throw HttpError(400, "a line ends with a bare LF") }
        return lf - 1
    }

    private static func parseRequestLine(_ line: ByteView) throws(HttpError) -> (String, String, String) {
        guard let firstSpace = line.firstIndex(of: 0x20), firstSpace > 0 else {
            throw HttpError(400, "malformed request line")
        }
        for index in 0..<firstSpace where !HttpText.isToken(line[index]) {
            throw HttpError(400, "malformed method")
        }
        guard let secondSpace = line.firstIndex(of: 0x20, from: firstSpace + 1), secondSpace > firstSpace + 1 else {
            throw HttpError(400, "malformed request line")
        }
        for index in (firstSpace + 1)..<secondSpace where line[index] <= 0x20 || line[index] == 0x7f {
            throw HttpError(400, "invalid byte in the request target")
        }
        let versionBytes = line.slice((secondSpace + 1)..<line.count)
        guard versionBytes.count == 8, versionBytes.starts(with: "HTTP/"), versionBytes[6] == UInt8(ascii: "."),
            (0x30...0x39).contains(versionBytes[5]), (0x30...0x39).contains(versionBytes[7])
        else { throw HttpError(400, "malformed HTTP version") }
        guard versionBytes[5] == UInt8(ascii: "1") else { throw HttpError(505, "only HTTP/1.x is served") }
        let method = line.slice(0..<firstSpace).string
        let target = line.slice((firstSpace + 1)..<secondSpace).string
        guard target.hasPrefix("/") || (target == "*" && method == "OPTIONS") || isAbsoluteForm(target) else {
            throw HttpError(400, "the request target is not origin-form")
        }
        return (method, target, versionBytes.slice(5..<8).string)
    }

    private static func isAbsoluteForm(_ target: String) -> Bool {
        let lower = HttpText.lowercased(target.prefix(8))
        return lower.hasPrefix("http://") || lower.hasPrefix("https://")
    }

    private static func parseField(_ line: ByteView) throws(HttpError) -> (String, String) {
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")), colon > 0 else {
            if line.first == 0x20 || line.first == 0x09 { throw HttpError(400, "obsolete line folding") }
            throw HttpError(400, "a header line without a colon")
        }
        for index in 0..<colon where !HttpText.isToken(line[index]) {
            throw HttpError(400, "invalid header name")
        }
        var start = colon + 1
        var end = line.count
        while start < end && (line[start] == 0x20 || line[start] == 0x09) { start += 1 }
        while end > start && (line[end - 1] == 0x20 || line[end - 1] == 0x09) { end -= 1 }
        for index in start..<end where !HttpText.isFieldValueByte(line[index]) {
            throw HttpError(400, "invalid byte in a header value")
        }
        return (line.slice(0..<colon).string, line.slice(start..<end).string)
    }

    /// Host, framing and connection rules of RFC 9112 §3.2, §6 and §9.
    private static func validate(_ head: inout HttpRequestHead) throws(HttpError) {
        let headers = head.headers
        let hosts = headers.values(for: "Host")
        if hosts.count > 1 { throw HttpError(400, "more than one Host") }
        if head.version == "1.1" && hosts.isEmpty { throw HttpError(400, "HTTP/1.1 without Host") }
        if let host = hosts.first, !isValidHost(host) { throw HttpError(400, "invalid Host") }

        let lengths = headers.values(for: "Content-Length")
        let encodings = headers.values(for: "Transfer-Encoding")
        if !encodings.isEmpty {
            guard lengths.isEmpty else { throw HttpError(400, "both Content-Length and Transfer-Encoding") }
            guard head.version == "1.1" else { throw HttpError(400, "Transfer-Encoding on HTTP/1.0") }
            guard encodings.count == 1, HttpHeaders.sameName(HttpText.trimmed(encodings[0]), "chunked") else {
                throw HttpError(501, "only the chunked transfer coding is supported")
            }
            head.framing = .chunked
        } else if !lengths.isEmpty {
            guard lengths.count == 1, let length = parseContentLength(lengths[0]) else {
                throw HttpError(400, "invalid Content-Length")
            }
            head.framing = length > 0 ? .contentLength(length) : .none
        }
        let close = headers.hasToken("close", in: "Connection")
        head.keepAlive = head.version == "1.1" ? !close : headers.hasToken("keep-alive", in: "Connection") && !close
        if let expect = headers["Expect"] {
            guard HttpHeaders.sameName(expect, "100-continue") else { throw HttpError(417, "unknown expectation") }
            head.expectsContinue = head.version == "1.1"
        }
    }

    /// 1 to 18 ASCII digits (so that it fits an Int); nil otherwise.
    private static func parseContentLength(_ text: String) -> Int? {
        let digits = text.utf8
        guard !digits.isEmpty, digits.count <= 18, digits.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        return digits.reduce(0) { $0 * 10 + Int($1 - 0x30) }
    }

    /// A reg-name, IPv4 or bracketed IPv6 host with an optional port: no spaces, slashes or controls.
    private static func isValidHost(_ host: String) -> Bool {
        host.utf8.allSatisfy { byte in
            byte > 0x20 && byte < 0x7f && byte != UInt8(ascii: "/") && byte != UInt8(ascii: "\\")
                && byte != UInt8(ascii: "@") && byte != UInt8(ascii: "?") && byte != UInt8(ascii: "#")
        }
    }
}
