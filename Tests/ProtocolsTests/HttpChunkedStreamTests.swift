import Workerman
import XCTest

/// Chunked request bodies whose payload passes `worker.http.uploadMemoryLimit` stream like large
/// Content-Length bodies: their framing is removed piece by piece, the payload goes to disk or to the
/// multipart parser, and the request after them is still found.
final class HttpChunkedStreamTests: StreamedBodyTestCase {
    /// `payload` in chunks of the `sizes` in turn (every other chunk with an extension), then the last
    /// chunk and `trailers` (field lines, each with its CRLF).
    private static func chunked(_ payload: String, sizes: [Int], trailers: String = "") -> String {
        var wire = ""
        let bytes = Array(payload.utf8)  // by bytes: "\r\n" is one Character
        var start = 0
        var index = 0
        while start < bytes.count {
            let end = min(start + sizes[index % sizes.count], bytes.count)
            let extensions = index % 2 == 1 ? ";n=\"v\";m" : ""
            wire += String(end - start, radix: 16) + extensions + "\r\n"
            wire += String(decoding: bytes[start..<end], as: UTF8.self) + "\r\n"
            start = end
            index += 1
        }
        return wire + "0\r\n" + trailers + "\r\n"
    }

    private static let chunkedHead = "POST /up HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n"
    private static let next = "GET /next HTTP/1.1\r\nHost: h\r\n\r\n"

    func testALargeChunkedBodyStreamsToATemporaryFileWithItsTrailersInEverySplit() {
        let content = (0..<300).map { String($0 % 10) }.joined()
        let body = Self.chunked(content, sizes: [1, 7, 40, 13, 100], trailers: "X-Sum: abc\r\nX-Other: 1\r\n")
        let results = decodeEverySplit(Self.chunkedHead + "\r\n" + body + Self.next) { request in
            let stored = storedBody(request) == content ? "file" : storedBody(request)
            return "\(request.path) \(request.bodySize) \(request.rawBody.count) \(stored) "
                + "\(request.trailer("x-sum") ?? "-") \(request.trailers.fields.count)"
        }
        XCTAssertEqual(
            results, [["/up 300 0 file abc 2", "/next 0 0 - - 0"]],
            "no packet exceeds maxPackageSize (128) or the chunked body")
    }

    func testAChunkedMultipartBodyYieldsItsFieldsAndFilesInEverySplit() {
        let wire =
            Self.chunkedHead + Self.multipartType + "\r\n"
            + Self.chunked(Self.multipartBody, sizes: [5, 64, 3, 200]) + Self.next
        let results = decodeEverySplit(wire) { "\($0.path) " + describeUpload($0) }
        XCTAssertEqual(results, [["/up " + Self.multipartDescription, "/next -  0"]])
    }

    func testSmallChunkedBodiesStayInMemoryEvenWhenTheirFramingOutgrowsAPacket() {
        let payload = "0123456789abcdef"  // uploadMemoryLimit bytes
        let compact = Self.chunked(payload, sizes: [5])
        let sprawling = Self.chunked(payload, sizes: [1], trailers: "T: \(String(repeating: "t", count: 100))\r\n")
        for body in [compact, sprawling] {
            let results = decodeEverySplit(Self.chunkedHead + "\r\n" + body + Self.next) { request in
                "\(request.path) \(request.body) \(request.bodySize) \(request.bodyFile ?? "-")"
            }
            XCTAssertEqual(results, [["/up \(payload) 16 -", "/next  0 -"]], body)
        }
    }

    func testBrokenFramingInAStreamingBodyIsRefusedWith400() {
        let streaming = Self.chunkedHead + "\r\n" + "64\r\n" + String(repeating: "a", count: 100) + "\r\n"
        XCTAssertEqual(refusals(streaming), [nil], "100 bytes of payload are streaming, nothing wrong yet")
        for broken in [
            "zz\r\n", "5\r\nabcdeX\r\n", "5\nabcde\r\n", "5 5\r\n", ";a\r\n", "5;a\u{1}\r\n", "5\rX",
            "5;" + String(repeating: "e", count: 5000) + "\r\n", "0\r\nX-T: a\nb\r\n\r\n", "0\r\nno colon\r\n\r\n",
        ] {
            XCTAssertEqual(refusals(streaming + broken), ["400"], broken)
        }
    }

    func testAChunkedBodyOverMaxBodySizeIsRefusedWith413() {
        worker.http.maxBodySize = 1000
        let full = Self.chunked(String(repeating: "a", count: 1000), sizes: [300])
        XCTAssertEqual(refusals(Self.chunkedHead + "\r\n" + full + Self.next), [nil])
        let over = Self.chunked(String(repeating: "a", count: 1001), sizes: [300])
        XCTAssertEqual(refusals(Self.chunkedHead + "\r\n" + over), ["413"])
        XCTAssertEqual(refusals(Self.chunkedHead + "\r\n" + "3e9\r\n"), ["413"], "refused before the chunk comes")
    }

    func testTrailersOverMaxHeaderSizeAreRefusedWith431() {
        worker.http.maxHeaderSize = 300
        let payload = String(repeating: "a", count: 100)
        let fits = Self.chunked(payload, sizes: [40], trailers: "X-T: \(String(repeating: "t", count: 280))\r\n")
        XCTAssertEqual(refusals(Self.chunkedHead + "\r\n" + fits), [nil])
        let over = Self.chunked(payload, sizes: [40], trailers: "X-T: \(String(repeating: "t", count: 300))\r\n")
        XCTAssertEqual(refusals(Self.chunkedHead + "\r\n" + over), ["431"])
    }
}
