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
                    "sha256": SHA256.hex(file.readBytes()),
                ] as [String: Any]
            },
            "body": request.body,
        ]
        let json = (try? JSONSerialization.data(withJSONObject: description, options: [.sortedKeys])) ?? Data()
        return Response(200, headers: ["Content-Type": "application/json"], bytes: Array(json))
    }

    /// Name → every value, in order.
    private static func pairs(_ pairs: [(name: String, value: String)]) -> [String: [String]] {
        var result: [String: [String]] = [:]
        for (name, value) in pairs { result[name, default: []].append(value) }
        return result
    }
}
