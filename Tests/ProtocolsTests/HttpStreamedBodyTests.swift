import Foundation
import Workerman
import XCTest

/// Bodies over `Http.uploadMemoryLimit` are cut into pieces as they arrive and written to disk:
/// the same requests must come out of every split of the wire.
final class HttpStreamedBodyTests: XCTestCase {
    private var savedLimits = (memory: 0, body: 0)

    override func setUp() {
        savedLimits = (Http.uploadMemoryLimit, Http.maxBodySize)
        Http.uploadMemoryLimit = 16
    }

    override func tearDown() {
        (Http.uploadMemoryLimit, Http.maxBodySize) = savedLimits
    }

    /// The requests of every split of `wire`, described by `describe`; fails on a refusal.
    private func decodeEverySplit(
        _ wire: String, file: StaticString = #filePath, line: UInt = #line, describe: (Request) -> String
    ) -> Set<[String]> {
        var results = Set<[String]>()
        for chunks in WireProtocolVerifier.splits(of: Array(wire.utf8), randomSplits: 20) {
            let outcome = WireProtocolVerifier.feed(Http.self, chunks: chunks, maxPackageSize: 128)
            XCTAssertNil(outcome.error, file: file, line: line)
            XCTAssertEqual(outcome.leftover, 0, file: file, line: line)
            results.insert(outcome.messages.compactMap { $0.value(as: Request.self) }.map(describe))
        }
        return results
    }

    func testALargeBodyStreamsToATemporaryFileInEverySplit() {
        let content = (0..<300).map { String($0 % 10) }.joined()
        let wire =
            "POST /up HTTP/1.1\r\nHost: h\r\nContent-Length: 300\r\n\r\n\(content)"
            + "GET /next HTTP/1.1\r\nHost: h\r\n\r\n"
        let results = decodeEverySplit(wire) { request in
            let stored = request.bodyFile.flatMap { try? String(contentsOfFile: $0, encoding: .utf8) } ?? "-"
            return "\(request.path) \(request.bodySize) \(request.rawBody.count) \(stored == content || stored == "-")"
        }
        XCTAssertEqual(
            results, [["/up 300 0 true", "/next 0 0 true"]],
            "no packet exceeds maxPackageSize (128), the 300-byte body included")
    }

    func testAStreamedMultipartBodyYieldsItsFieldsAndFilesInEverySplit() {
        let big = String(repeating: "0123456789", count: 30)
        let body =
            "preamble\r\n--XyZ\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhello\r\n"
            + "--XyZ\r\nContent-Disposition: form-data; name=\"a\"; filename=\"dir/a.txt\"\r\n"
            + "Content-Type: text/plain\r\n\r\n\(big)\r\n"
            + "--XyZ\r\nContent-Disposition: form-data; name=\"b\"; filename=\"b.bin\"\r\n\r\n--Xy\r\n-XyZ\r\n"
            + "--XyZ--\r\nepilogue"
        let wire =
            "POST / HTTP/1.1\r\nHost: h\r\nContent-Type: multipart/form-data; boundary=\"XyZ\"\r\n"
            + "Content-Length: \(body.utf8.count)\r\n\r\n\(body)"
        let results = decodeEverySplit(wire) { request in
            let files = request.files.map { file in
                "\(file.fieldName):\(file.fileName):\(file.contentType):\(file.size):"
                    + "\(String(decoding: file.readBytes(), as: UTF8.self) == big ? "big" : String(decoding: file.readBytes(), as: UTF8.self))"
            }
            return "\(request.post("note") ?? "-") \(files.joined(separator: " ")) \(request.rawBody.count)"
        }
        XCTAssertEqual(
            results, [["hello a:a.txt:text/plain:300:big b:b.bin:application/octet-stream:10:--Xy\r\n-XyZ 0"]])
    }

    func testABodyOverMaxBodySizeIsRefusedWith413() {
        Http.maxBodySize = 1000
        let over = "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1001\r\n\r\n"
        let outcome = WireProtocolVerifier.feed(Http.self, chunks: [Array(over.utf8)])
        XCTAssertEqual(outcome.error.map { String($0.prefix(3)) }, "413")
        let fits = "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1000\r\n\r\n" + String(repeating: "a", count: 1000)
        XCTAssertNil(WireProtocolVerifier.feed(Http.self, chunks: [Array(fits.utf8)], maxPackageSize: 100).error)
    }
}
