/// A parsed `scheme://host:port` or `unix:///path` address, as Worker and AsyncTcpConnection take them.
public struct ListenAddress: Equatable, CustomStringConvertible {
    /// The scheme in lower case: "tcp", "udp", "unix", "text", "frame", "websocket", or a user protocol.
    public let scheme: String
    /// The host as written, brackets of IPv6 literals removed ("0.0.0.0", "::", "example.com").
    public let host: String
    /// The port; 0 asks the kernel for a free one. Unused for unix sockets.
    public let port: UInt16
    /// The socket path of a `unix://` address.
    public let path: String?

    /// Parses `text`; throws with the reason when it is not `scheme://host:port` or `unix:///path`.
    public init(_ text: String) throws(AddressError) {
        guard let separator = Self.schemeSeparator(in: text) else {
            throw AddressError("listen address '\(text)' has no scheme: write it as scheme://host:port")
        }
        scheme = text[..<separator.lowerBound].lowercased()
        let rest = String(text[separator.upperBound...])
        guard !scheme.isEmpty else { throw AddressError("listen address '\(text)' has an empty scheme") }
        if scheme == "unix" {
            guard !rest.isEmpty else { throw AddressError("unix address '\(text)' has no path") }
            host = ""
            port = 0
            path = rest
            return
        }
        path = nil
        var hostPart: Substring
        var portPart: Substring
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else {
                throw AddressError("IPv6 address in '\(text)' lacks its closing ]")
            }
            hostPart = rest[rest.index(after: rest.startIndex)..<close]
            let afterBracket = rest[rest.index(after: close)...]
            guard afterBracket.hasPrefix(":") else { throw AddressError("address '\(text)' has no port") }
            portPart = afterBracket.dropFirst()
        } else {
            guard let colon = rest.lastIndex(of: ":") else { throw AddressError("address '\(text)' has no port") }
            hostPart = rest[..<colon]
            portPart = rest[rest.index(after: colon)...]
        }
        if let slash = portPart.firstIndex(of: "/") { portPart = portPart[..<slash] }  // ws://host:port/path
        guard !hostPart.isEmpty else { throw AddressError("address '\(text)' has no host") }
        guard !portPart.isEmpty, portPart.allSatisfy({ ("0"..."9").contains($0) }) else {
            throw AddressError("port '\(portPart)' is not a number in '\(text)'")
        }
        guard let number = Int(portPart), (0...65535).contains(number) else {
            throw AddressError("port '\(portPart)' is out of range (0-65535) in '\(text)'")
        }
        host = String(hostPart)
        port = UInt16(number)
    }

    /// The address as written, normalised: "text://0.0.0.0:5678", "unix:///tmp/s.sock".
    public var description: String {
        if let path { return "\(scheme)://\(path)" }
        return host.contains(":") ? "\(scheme)://[\(host)]:\(port)" : "\(scheme)://\(host):\(port)"
    }

    /// The request target of a `ws://host:port/path?query` address ("/" when none is given).
    public static func requestTarget(of text: String) -> String {
        guard let separator = schemeSeparator(in: text) else { return "/" }
        let rest = text[separator.upperBound...]
        guard let slash = rest.firstIndex(of: "/") else { return "/" }
        return String(rest[slash...])
    }

    /// Where the first "://" is. A plain scan rather than `firstRange(of:)`, which would load the
    /// string-processing library's searcher into every process for this one call.
    private static func schemeSeparator(in text: String) -> Range<String.Index>? {
        var index = text.startIndex
        while let colon = text[index...].firstIndex(of: ":") {
            let end = text.index(colon, offsetBy: 3, limitedBy: text.endIndex) ?? text.endIndex
            if text[colon..<end] == "://" { return colon..<end }
            index = text.index(after: colon)
        }
        return nil
    }
}
