/// Reads `multipart/form-data` bodies (RFC 7578): the whole-body entry point and the header helpers
/// `MultipartStream` uses.
enum MultipartParser {
    /// The fields and files of a body held in memory, cut by `boundary`; at most
    /// `settings.maxFileUploads` files, the rest ignored (as PHP). A malformed body yields what was
    /// parsed before the fault.
    static func parse(_ body: [UInt8], boundary: String, settings: HttpSettings) -> (
        fields: FormParameters, files: [UploadedFile]
    ) {
        var stream = MultipartStream(boundary: boundary, settings: settings)
        body.withUnsafeBytes { stream.feed($0) }
        return stream.finish()
    }

    /// The boundary parameter of a multipart Content-Type, or nil.
    static func boundary(of contentType: String) -> String? {
        let parameters = dispositionParameters(contentType)
        guard let boundary = parameters["boundary"], !boundary.isEmpty, boundary.utf8.count <= 70 else { return nil }
        return boundary
    }

    /// Header lines of a part, names lower-cased.
    static func partHeaders(_ text: String) -> [String: String] {
        var headers: [String: String] = [:]
        for line in text.split(separator: "\r\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[HttpText.lowercased(line[..<colon])] = String(HttpText.trimmed(line[line.index(after: colon)...]))
        }
        return headers
    }

    /// The `key=value` parameters after the first ";" of a header value (quotes removed), keys lower-cased.
    static func dispositionParameters(_ value: String) -> [String: String] {
        var result: [String: String] = [:]
        for piece in value.split(separator: ";").dropFirst() {
            guard let equals = piece.firstIndex(of: "=") else { continue }
            let key = HttpText.lowercased(HttpText.trimmed(piece[..<equals]))
            var text = HttpText.trimmed(piece[piece.index(after: equals)...])
            if text.count >= 2 && text.first == "\"" && text.last == "\"" { text = text.dropFirst().dropLast() }
            result[key] = String(text)
        }
        return result
    }
}
