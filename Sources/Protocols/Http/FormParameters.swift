/// Decoded `name=value` pairs of a query string or an `application/x-www-form-urlencoded` body,
/// in order, repeated names kept (`a=1&a=2`, and PHP's `a[]=1&a[]=2`, listed under "a").
public struct FormParameters: Sequence {
    /// The pairs in order; names have a trailing "[]" removed.
    public private(set) var pairs: [(name: String, value: String)] = []

    /// No parameters.
    public init() {}

    /// Parses `text`: pairs split on "&", names and values percent-decoded ("+" is a space), bytes
    /// read as UTF-8 (invalid sequences become U+FFFD). A pair without "=" has the value "".
    public init(parsing text: some StringProtocol) {
        for piece in text.utf8.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            let bytes = Array(piece)
            let equals = bytes.firstIndex(of: UInt8(ascii: "="))
            var name = PercentEncoding.decode(bytes[..<(equals ?? bytes.count)], plusIsSpace: true)
            let value = equals.map { PercentEncoding.decode(bytes[($0 + 1)...], plusIsSpace: true) } ?? ""
            if name.hasSuffix("[]") { name.removeLast(2) }
            if name.isEmpty { continue }
            pairs.append((name, value))
        }
    }

    /// The last value of `name` (PHP's `$_GET['name']`), or nil.
    public subscript(name: String) -> String? { pairs.last { $0.name == name }?.value }

    /// Every value of `name`, in order.
    public func values(for name: String) -> [String] { pairs.filter { $0.name == name }.map(\.value) }

    /// The names and their last values.
    public var dictionary: [String: String] {
        var result: [String: String] = [:]
        for (name, value) in pairs { result[name] = value }
        return result
    }

    /// The number of pairs.
    public var count: Int { pairs.count }

    /// True when there are no pairs.
    public var isEmpty: Bool { pairs.isEmpty }

    /// Appends a pair.
    mutating func add(_ name: String, _ value: String) { pairs.append((name, value)) }

    /// Iterates the pairs in order.
    public func makeIterator() -> IndexingIterator<[(name: String, value: String)]> { pairs.makeIterator() }
}

/// Percent-decoding (RFC 3986 §2.1) of URL components and form data.
public enum PercentEncoding {
    /// `bytes` with every "%XX" replaced by its byte (and "+" by a space when `plusIsSpace`), read as
    /// UTF-8. A "%" not followed by two hex digits stays as it is.
    public static func decode(_ bytes: some Collection<UInt8>, plusIsSpace: Bool = false) -> String {
        String(decoding: decodeBytes(bytes, plusIsSpace: plusIsSpace), as: UTF8.self)
    }

    /// The decoded bytes of `bytes`.
    public static func decodeBytes(_ bytes: some Collection<UInt8>, plusIsSpace: Bool = false) -> [UInt8] {
        let source = Array(bytes)
        var result: [UInt8] = []
        result.reserveCapacity(source.count)
        var index = 0
        while index < source.count {
            let byte = source[index]
            if byte == UInt8(ascii: "%"), index + 2 < source.count,
                let high = HttpText.hexValue(source[index + 1]), let low = HttpText.hexValue(source[index + 2])
            {
                result.append(UInt8(high * 16 + low))
                index += 3
                continue
            }
            result.append(plusIsSpace && byte == UInt8(ascii: "+") ? 0x20 : byte)
            index += 1
        }
        return result
    }
}
