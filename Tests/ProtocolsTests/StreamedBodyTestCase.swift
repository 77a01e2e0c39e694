import Foundation
import Workerman
import XCTest

/// Tests of bodies over `uploadMemoryLimit`, which each test's own Worker sets to 16 bytes: the same
/// requests must come out of every split of the wire, in packets of at most 128 bytes.
class StreamedBodyTestCase: XCTestCase {
    /// The Worker whose `http` settings the requests are decoded with.
    var worker = Worker()

    /// A multipart body with a field, a file over the memory limit and a file whose content almost
    /// contains the boundary; `describeUpload` tells what the server made of it.
    static let multipartBody =
        "preamble\r\n--XyZ\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhello\r\n"
        + "--XyZ\r\nContent-Disposition: form-data; name=\"a\"; filename=\"dir/a.txt\"\r\n"
        + "Content-Type: text/plain\r\n\r\n\(bigFileContent)\r\n"
        + "--XyZ\r\nContent-Disposition: form-data; name=\"b\"; filename=\"b.bin\"\r\n\r\n--Xy\r\n-XyZ\r\n"
        + "--XyZ--\r\nepilogue"
    /// The head fields that announce `multipartBody`'s type.
    static let multipartType = "Content-Type: multipart/form-data; boundary=\"XyZ\"\r\n"
    /// `describeUpload` of the request that carried `multipartBody`.
    static let multipartDescription =
        "hello a:a.txt:text/plain:300:big b:b.bin:application/octet-stream:10:--Xy\r\n-XyZ 0"
    private static let bigFileContent = String(repeating: "0123456789", count: 30)

    override func setUp() {
        worker = Worker()
        worker.http.uploadMemoryLimit = 16
    }

    /// The requests of every split of `wire`, described by `describe`; fails on a refusal.
    func decodeEverySplit(
        _ wire: String, file: StaticString = #filePath, line: UInt = #line, describe: (Request) -> String
    ) -> Set<[String]> {
        var results = Set<[String]>()
        for chunks in WireProtocolVerifier.splits(of: Array(wire.utf8), randomSplits: 20) {
            let outcome = WireProtocolVerifier.feed(Http.self, chunks: chunks, maxPackageSize: 128, worker: worker)
            XCTAssertNil(outcome.error, file: file, line: line)
            XCTAssertEqual(outcome.leftover, 0, file: file, line: line)
            results.insert(outcome.messages.compactMap { $0.value(as: Request.self) }.map(describe))
        }
        return results
    }

    /// The status each split of `wire` is refused with (nil where it is accepted), in packets of at
    /// most `maxPackageSize` bytes, whether `input` or `decode` refused it.
    func refusals(_ wire: String, maxPackageSize: Int = 128) -> Set<String?> {
        Set(
            WireProtocolVerifier.splits(of: Array(wire.utf8), randomSplits: 5).map { chunks in
                let error = WireProtocolVerifier.feed(
                    Http.self, chunks: chunks, maxPackageSize: maxPackageSize, worker: worker
                ).error
                return error.map { String(($0.hasPrefix("decode: ") ? $0.dropFirst(8) : Substring($0)).prefix(3)) }
            })
    }

    /// The form field "note" and the files of `request` (a file of `multipartBody`'s 300 bytes as
    /// "big"), then the size of its raw body.
    func describeUpload(_ request: Request) -> String {
        let files = request.files.map { file in
            let content = String(decoding: file.readBytes(), as: UTF8.self)
            return "\(file.fieldName):\(file.fileName):\(file.contentType):\(file.size):"
                + (content == Self.bigFileContent ? "big" : content)
        }
        return "\(request.post("note") ?? "-") \(files.joined(separator: " ")) \(request.rawBody.count)"
    }

    /// The text of the file holding `request`'s body ("-" when it has none).
    func storedBody(_ request: Request) -> String {
        request.bodyFile.flatMap { try? String(contentsOfFile: $0, encoding: .utf8) } ?? "-"
    }
}
