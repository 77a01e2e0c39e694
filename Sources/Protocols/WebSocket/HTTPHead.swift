import WorkermanCore

/// The head of an HTTP/1.1 message (a start line and header fields), as the WebSocket handshake
/// needs it on both sides. Kept to itself so the HTTP protocol can share a parser later.
struct HTTPHead {
    /// The largest head accepted: a larger one is refused (431 on the server).
    static let maximumSize = 16 * 1024

    /// The first line, without its CRLF.
    var startLine: String
    /// The header fields in order, names as sent.
    var headers: [(name: String, value: String)]

    /// The length of the head at the start of `bytes`, blank line included; nil until it is all in.
    static func length(in bytes: ByteView) -> Int? {
        var from = 0
        while let newline = bytes.firstIndex(of: UInt8(ascii: "\n"), from: from) {
            if newline >= 1 && bytes[newline - 1] == UInt8(ascii: "\n") { return newline + 1 }
            if newline >= 2 && bytes[newline - 1] == UInt8(ascii: "\r") && bytes[newline - 2] == UInt8(ascii: "\n") {
                return newline + 1
            }
            from = newline + 1
        }
        return nil
    }

    /// Parses a complete head; nil when a line is not a header field.
    init?(_ bytes: ByteView) {
        // Split the bytes, not a String: Swift reads "\r\n" as one Character.
        var lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map { line in
            String(decoding: line.last == UInt8(ascii: "\r") ? line.dropLast() : line, as: UTF8.self)
        }
        while lines.last?.isEmpty == true { lines.removeLast() }
        guard let first = lines.first, !first.isEmpty else { return nil }
        startLine = first
        headers = []
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":"), colon != line.startIndex else { return nil }
            let name = line[..<colon]
            guard !name.contains(" ") && !name.contains("\t") else { return nil }
            headers.append((String(name), String(line[line.index(after: colon)...].trimmingSpaces)))
        }
    }

    /// The values of every field called `name` (case-insensitive), joined with ", " as RFC 9110 allows.
    func value(of name: String) -> String? { HTTPHead.value(of: name, in: headers) }

    /// The values of every field in `headers` called `name` (case-insensitive), joined with ", ".
    static func value(of name: String, in headers: [(name: String, value: String)]) -> String? {
        let values = headers.filter { $0.name.lowercased() == name.lowercased() }.map(\.value)
        return values.isEmpty ? nil : values.joined(separator: ", ")
    }

    /// True when field `name` lists `token` (case-insensitive) among its comma-separated values.
    func lists(_ token: String, in name: String) -> Bool {
        guard let value = value(of: name) else { return false }
        return value.split(separator: ",").contains { $0.trimmingSpaces.lowercased() == token.lowercased() }
    }
}

extension StringProtocol {
    /// Without leading and trailing spaces and tabs.
    var trimmingSpaces: String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let start = firstIndex(where: { !isSpace($0) }), let end = lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(self[start...end])
    }
}
