/// Parsing of the request's `Cookie` header (RFC 6265 §5.4).
enum CookieParser {
    /// The `name=value` pairs of every Cookie header; the first value of a name wins, as browsers
    /// send the most specific cookie first. Values are percent-decoded, as PHP does.
    static func parse(_ headers: HttpHeaders) -> [String: String] {
        var cookies: [String: String] = [:]
        for header in headers.values(for: "Cookie") {
            for piece in header.split(separator: ";") {
                guard let equals = piece.firstIndex(of: "=") else { continue }
                let name = String(HttpText.trimmed(piece[..<equals]))
                var value = HttpText.trimmed(piece[piece.index(after: equals)...])
                if value.count >= 2 && value.first == "\"" && value.last == "\"" {
                    value = value.dropFirst().dropLast()
                }
                if !name.isEmpty && cookies[name] == nil { cookies[name] = PercentEncoding.decode(value.utf8) }
            }
        }
        return cookies
    }
}

/// A `Set-Cookie` a response carries, with every attribute of RFC 6265bis.
public struct SetCookie {
    /// The SameSite attribute.
    public enum SameSite: String {
        case strict = "Strict"
        case lax = "Lax"
        case none = "None"
    }

    /// The cookie's name (a token).
    public var name: String
    /// Its value; characters outside cookie-octet are percent-encoded when sent.
    public var value: String
    /// Max-Age in seconds; 0 or less deletes the cookie.
    public var maxAge: Int?
    /// Expires, as an HTTP date (see `HttpDate.format`).
    public var expires: String?
    /// Path.
    public var path: String?
    /// Domain.
    public var domain: String?
    /// Secure.
    public var secure = false
    /// HttpOnly.
    public var httpOnly = false
    /// SameSite.
    public var sameSite: SameSite?

    /// A cookie; the attributes are the parameters of Workerman's `Response::cookie`.
    public init(
        _ name: String, _ value: String = "", maxAge: Int? = nil, path: String? = nil, domain: String? = nil,
        secure: Bool = false, httpOnly: Bool = false, sameSite: SameSite? = nil, expires: String? = nil
    ) {
        self.name = name
        self.value = value
        self.maxAge = maxAge
        self.path = path
        self.domain = domain
        self.secure = secure
        self.httpOnly = httpOnly
        self.sameSite = sameSite
        self.expires = expires
    }

    /// The header value: `name=value; Max-Age=...; Path=...; ...`.
    public var headerValue: String {
        var text = "\(name)=\(Self.encodeValue(value))"
        if let maxAge { text += "; Max-Age=\(maxAge)" }
        if let expires { text += "; Expires=\(expires)" }
        if let path { text += "; Path=\(path)" }
        if let domain { text += "; Domain=\(domain)" }
        if secure { text += "; Secure" }
        if httpOnly { text += "; HttpOnly" }
        if let sameSite { text += "; SameSite=\(sameSite.rawValue)" }
        return text
    }

    /// cookie-octets as they are, everything else percent-encoded.
    private static func encodeValue(_ value: String) -> String {
        var result = ""
        for byte in value.utf8 {
            let allowed =
                byte == 0x21 || (byte >= 0x23 && byte <= 0x2b) || (byte >= 0x2d && byte <= 0x3a)
                || (byte >= 0x3c && byte <= 0x5b) || (byte >= 0x5d && byte <= 0x7e)
            if allowed && byte != UInt8(ascii: "%") {
                result.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                let digits = Array("0123456789ABCDEF".utf8)
                result += "%" + String(decoding: [digits[Int(byte >> 4)], digits[Int(byte & 15)]], as: UTF8.self)
            }
        }
        return result
    }
}
