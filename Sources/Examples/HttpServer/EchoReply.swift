import Foundation
import Workerman

/// The `/echo` route: everything the server understood of the request, as JSON.
enum EchoReply {
    static func response(for request: Request) -> Response {
        let description: [String: Any] = [
            "method": request.method,
            "path": request.path,
            "query": pairs(request.query.pairs),
            "headers": request.headers.fields.map { [$0.name, $0.value] },
            "cookies": request.cookies,
            "form": pairs(request.form.pairs),
            "files": request.files.map { file in
                [
                    "field": file.fieldName, "name": file.fileName, "type": file.contentType, "size": file.size,
                    "sha256": digest(file.forEachBlock),
                ] as [String: Any]
            },
            "body": request.body,
            "bodySize": request.bodySize,
            "bodySha256": digest(request.forEachBodyBlock),
            "bodyInFile": request.bodyFile != nil,
        ]
        let json = (try? JSONSerialization.data(withJSONObject: description, options: [.sortedKeys])) ?? Data()
        return Response(200, headers: ["Content-Type": "application/json"], bytes: Array(json))
    }

    /// The SHA-256 of the bytes `forEachBlock` yields, read block by block (uploads may be large).
    private static func digest(_ forEachBlock: ((UnsafeRawBufferPointer) -> Void) -> Bool) -> String {
        var hash = SHA256()
        _ = forEachBlock { hash.update($0) }
        return hash.finalize()
    }

    /// Name → every value, in order.
    private static func pairs(_ pairs: [(name: String, value: String)]) -> [String: [String]] {
        var result: [String: [String]] = [:]
        for (name, value) in pairs { result[name, default: []].append(value) }
        return result
    }
}
