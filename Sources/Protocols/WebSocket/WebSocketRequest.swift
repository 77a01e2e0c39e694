/// The handshake request a WebSocket server received: what `onWebSocketConnect` looks at (the
/// data Workerman exposes as `$_SERVER`, `$_GET` and `$_COOKIE` during the handshake).
public struct WebSocketRequest: Sendable {
    /// "GET".
    public let method: String
    /// The request target as sent: "/chat?room=1".
    public let uri: String
    /// The path part of the target: "/chat".
    public let path: String
    /// The query string without "?": "room=1" ("" when none).
    public let queryString: String
    /// "HTTP/1.1".
    public let version: String
    /// The header fields in order, names as sent.
    public let headers: [(name: String, value: String)]
    /// The peer's "ip:port".
    public let remoteAddress: String

    init(head: HTTPHead, remoteAddress: String) {
        let parts = head.startLine.split(separator: " ", omittingEmptySubsequences: true)
        method = parts.count > 0 ? String(parts[0]) : ""
        uri = parts.count > 1 ? String(parts[1]) : ""
        version = parts.count > 2 ? String(parts[2]) : ""
        if let question = uri.firstIndex(of: "?") {
            path = String(uri[..<question])
            queryString = String(uri[uri.index(after: question)...])
        } else {
            path = uri
            queryString = ""
        }
        headers = head.headers
        self.remoteAddress = remoteAddress
    }

    /// The value of header `name` (case-insensitive; repeated fields joined with ", "), or nil.
    public func header(_ name: String) -> String? {
        HTTPHead.value(of: name, in: headers)
    }

    /// The query parameters, percent-decoded ("+" as a space); the last of a repeated name wins.
    public var query: [String: String] {
        var result: [String: String] = [:]
        for pair in queryString.split(separator: "&") where !pair.isEmpty {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            result[percentDecoded(parts[0])] = parts.count > 1 ? percentDecoded(parts[1]) : ""
        }
        return result
    }

    /// The cookies of the `Cookie` header.
    public var cookies: [String: String] {
        var result: [String: String] = [:]
        for pair in (header("Cookie") ?? "").split(separator: ";") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = parts[0].trimmingSpaces
            guard !name.isEmpty else { continue }
            result[name] = parts.count > 1 ? parts[1].trimmingSpaces : ""
        }
        return result
    }

    /// The subprotocols the client offers (`Sec-WebSocket-Protocol`), in its order of preference.
    public var subprotocols: [String] {
        (header("Sec-WebSocket-Protocol") ?? "").split(separator: ",").map(\.trimmingSpaces).filter { !$0.isEmpty }
    }

    private func percentDecoded(_ text: Substring) -> String {
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8).makeIterator()
        while let byte = iterator.next() {
            if byte == UInt8(ascii: "+") {
                bytes.append(UInt8(ascii: " "))
            } else if byte == UInt8(ascii: "%"), let high = iterator.next(), let low = iterator.next(),
                let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16)
            {
                bytes.append(value)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// What the server answers a handshake with: `onWebSocketConnect` adds headers, picks a
/// subprotocol, or rejects the request.
public struct WebSocketHandshakeResponse: Sendable {
    /// Extra header fields for the 101 response (Workerman's `$connection->headers`).
    public var headers: [(name: String, value: String)] = []
    /// The subprotocol to confirm; it must be one the client offered, or it is left out.
    public var subprotocol: String?
    /// Set by `reject`: the status and body sent instead of the upgrade.
    public private(set) var rejection: (status: Int, body: String)?

    init() {}

    /// Refuses the upgrade with `status` (e.g. 403) and `body`; the connection closes after it.
    public mutating func reject(status: Int = 403, body: String = "") {
        rejection = (status, body)
    }
}

/// The handshake response a `ws://` client received, for its `onWebSocketResponse` hook.
public struct WebSocketResponse: Sendable {
    /// The status code (101 for an accepted upgrade).
    public let status: Int
    /// The header fields in order, names as sent.
    public let headers: [(name: String, value: String)]
    /// The subprotocol the server confirmed, if any.
    public var subprotocol: String? { header("Sec-WebSocket-Protocol") }

    init(head: HTTPHead) {
        let parts = head.startLine.split(separator: " ", maxSplits: 2)
        status = parts.count > 1 ? Int(parts[1]) ?? 0 : 0
        headers = head.headers
    }

    /// The value of header `name` (case-insensitive; repeated fields joined with ", "), or nil.
    public func header(_ name: String) -> String? {
        HTTPHead.value(of: name, in: headers)
    }
}
