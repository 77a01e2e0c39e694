import Glibc
import WorkerCore

/// Parses a `multipart/form-data` body (RFC 7578) into form fields and uploaded files.
enum MultipartParser {
    /// The fields and files of `body`, cut by `boundary`; at most `Http.maxFileUploads` files, the
    /// rest ignored (as PHP). A malformed body yields what was parsed before the fault.
    static func parse(_ body: [UInt8], boundary: String) -> (fields: FormParameters, files: [UploadedFile]) {
        var fields = FormParameters()
        var files: [UploadedFile] = []
        let delimiter = Array("--\(boundary)".utf8)
        let partSeparator = Array("\r\n--\(boundary)".utf8)
        guard var position = find(delimiter, in: body, from: 0) else { return (fields, files) }
        position += delimiter.count
        while position + 2 <= body.count {
            if body[position] == UInt8(ascii: "-") && body[position + 1] == UInt8(ascii: "-") { break }
            guard body[position] == 0x0d && body[position + 1] == 0x0a else { break }
            position += 2
            guard let headEnd = find(Array("\r\n\r\n".utf8), in: body, from: position) else { break }
            guard let dataEnd = find(partSeparator, in: body, from: headEnd + 4) else { break }
            let headText = String(decoding: body[position..<(headEnd + 2)], as: UTF8.self)
            let data = body[(headEnd + 4)..<dataEnd]
            position = dataEnd + partSeparator.count
            let headers = partHeaders(headText)
            let disposition = dispositionParameters(headers["content-disposition"] ?? "")
            guard let name = disposition["name"] else { continue }
            if let fileName = disposition["filename"] {
                guard files.count < Http.maxFileUploads, !fileName.isEmpty else { continue }
                let baseName = String(fileName.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last ?? "")
                files.append(
                    UploadedFile(
                        fieldName: name, fileName: baseName,
                        contentType: headers["content-type"] ?? "application/octet-stream", bytes: data))
            } else {
                fields.add(
                    name.hasSuffix("[]") ? String(name.dropLast(2)) : name, String(decoding: data, as: UTF8.self))
            }
        }
        return (fields, files)
    }

    /// The boundary parameter of a multipart Content-Type, or nil.
    static func boundary(of contentType: String) -> String? {
        let parameters = dispositionParameters(contentType)
        guard let boundary = parameters["boundary"], !boundary.isEmpty, boundary.utf8.count <= 70 else { return nil }
        return boundary
    }

    /// Header lines of a part, names lower-cased.
    private static func partHeaders(_ text: String) -> [String: String] {
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

    /// The index of `needle` (not empty) in `haystack` at or after `start`, or nil: memchr for its
    /// first byte, memcmp for the rest.
    private static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        haystack.withUnsafeBytes { hay in
            needle.withUnsafeBytes { pin in
                let view = ByteView(hay)
                var index = start
                while index + pin.count <= hay.count, let candidate = view.firstIndex(of: pin[0], from: index) {
                    guard candidate + pin.count <= hay.count else { return nil }
                    if memcmp(hay.baseAddress! + candidate, pin.baseAddress!, pin.count) == 0 { return candidate }
                    index = candidate + 1
                }
                return nil
            }
        }
    }
}
