import Workerman
import XCTest

/// Content-Length bodies over `worker.http.uploadMemoryLimit` are cut into pieces as they arrive and
/// written to disk.
final class HttpStreamedBodyTests: StreamedBodyTestCase {
    func testALargeBodyStreamsToATemporaryFileInEverySplit() {
        let content = (0..<300).map { String($0 % 10) }.joined()
        let wire =
            "POST /up HTTP/1.1\r\nHost: h\r\nContent-Length: 300\r\n\r\n\(content)"
            + "GET /next HTTP/1.1\r\nHost: h\r\n\r\n"
        let results = decodeEverySplit(wire) { request in
            let stored = storedBody(request)
            return "\(request.path) \(request.bodySize) \(request.rawBody.count) \(stored == content || stored == "-")"
        }
        XCTAssertEqual(
            results, [["/up 300 0 true", "/next 0 0 true"]],
            "no packet exceeds maxPackageSize (128), the 300-byte body included")
    }

    func testAStreamedMultipartBodyYieldsItsFieldsAndFilesInEverySplit() {
        let body = Self.multipartBody
        let wire =
            "POST / HTTP/1.1\r\nHost: h\r\n\(Self.multipartType)Content-Length: \(body.utf8.count)\r\n\r\n\(body)"
        XCTAssertEqual(decodeEverySplit(wire, describe: describeUpload), [[Self.multipartDescription]])
    }

    func testABodyOverMaxBodySizeIsRefusedWith413() {
        worker.http.maxBodySize = 1000
        let over = "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1001\r\n\r\n"
        let outcome = WireProtocolVerifier.feed(Http.self, chunks: [Array(over.utf8)], worker: worker)
        XCTAssertEqual(outcome.error.map { String($0.prefix(3)) }, "413")
        let fits = "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1000\r\n\r\n" + String(repeating: "a", count: 1000)
        XCTAssertNil(
            WireProtocolVerifier.feed(Http.self, chunks: [Array(fits.utf8)], maxPackageSize: 100, worker: worker).error)
    }
}
