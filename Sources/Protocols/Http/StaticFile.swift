import Glibc

/// Responses for files on disk with the conditional and range rules of RFC 9110: `Last-Modified`,
/// `If-Modified-Since` (304), `Range: bytes=` (206, or 416 when unsatisfiable), the type by extension.
public enum StaticFile {
    /// The response that serves the regular file at `path` to `request`; a 404 when there is none.
    public static func response(path: String, for request: Request) -> Response {
        var info = stat()
        guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
            return Response(404, body: "404 Not Found")
        }
        let size = Int(info.st_size)
        let modified = Int(info.st_mtim.tv_sec)
        let response = Response(200)
        response.describeFile(at: path, modified: modified)
        response.headers["Accept-Ranges"] = "bytes"
        if let since = request.header("If-Modified-Since").flatMap(HttpDate.parse), modified <= since,
            request.header("If-None-Match") == nil
        {
            return response.withStatus(304)
        }
        guard let rangeHeader = request.header("Range"), request.method == "GET" else {
            return response.withFile(path)
        }
        switch byteRange(rangeHeader, size: size) {
        case .none:
            return response.withFile(path)
        case .unsatisfiable:
            response.headers.remove("Content-Type")
            return response.withStatus(416).withHeader("Content-Range", "bytes */\(size)")
        case .range(let first, let last):
            return response.withStatus(206).withHeader("Content-Range", "bytes \(first)-\(last)/\(size)")
                .withFile(path, offset: first, length: last - first + 1)
        }
    }

    /// What a Range header asks of a representation of `size` bytes.
    enum RangeRequest: Equatable {
        /// Ignore the header: not a single bytes range (multiple ranges are served whole, as RFC 9110 allows).
        case none
        /// No byte of the range exists.
        case unsatisfiable
        /// Bytes `first` through `last`, inclusive.
        case range(Int, Int)
    }

    /// Parses `bytes=a-b`, `bytes=a-` and `bytes=-n`.
    static func byteRange(_ header: String, size: Int) -> RangeRequest {
        let text = HttpText.trimmed(header)
        guard text.hasPrefix("bytes="), !text.contains(",") else { return .none }
        let spec = text.dropFirst(6)
        guard let dash = spec.firstIndex(of: "-") else { return .none }
        let startText = HttpText.trimmed(spec[..<dash])
        let endText = HttpText.trimmed(spec[spec.index(after: dash)...])
        let digits: (Substring) -> Int? = {
            $0.isEmpty || $0.count > 18 || !$0.allSatisfy(\.isASCIIDigitCharacter) ? nil : Int($0)
        }
        if startText.isEmpty {
            guard let suffix = digits(endText) else { return .none }
            guard suffix > 0, size > 0 else { return .unsatisfiable }
            return .range(max(size - suffix, 0), size - 1)
        }
        guard let first = digits(startText) else { return .none }
        guard first < size else { return .unsatisfiable }
        if endText.isEmpty { return .range(first, size - 1) }
        guard let last = digits(endText), last >= first else { return .none }
        return .range(first, min(last, size - 1))
    }
}

extension Response {
    /// Sets what describes the file at `path`, last changed at `modified` (seconds since 1970), each
    /// unless already set: `Content-Type` by its extension (`MimeTypes`) and `Last-Modified`. The one
    /// place that decides both, for the WebServer and `withFile` alike.
    func describeFile(at path: String, modified: Int) {
        if !headers.contains("Content-Type") { headers["Content-Type"] = MimeTypes.type(forPath: path) }
        if !headers.contains("Last-Modified") { headers["Last-Modified"] = HttpDate.format(modified) }
    }
}

extension Character {
    /// True for "0" to "9".
    fileprivate var isASCIIDigitCharacter: Bool { ("0"..."9").contains(self) }
}
