import Workerman
import XCTest

/// The Http protocol's input/decode fed whole, byte by byte and in random splits, and hostile input.
final class HttpParserTests: XCTestCase {
    /// Every split of `wire` must decode to requests that `describe` maps to `expected`.
    private func assertDecodes(
        _ wire: String, to expected: [String], file: StaticString = #filePath, line: UInt = #line,
        describe: (Request) -> String = { "\($0.method) \($0.uri) \($0.body)" }
    ) {
        for (index, chunks) in WireProtocolVerifier.splits(of: Array(wire.utf8)).enumerated() {
            let outcome = WireProtocolVerifier.feed(Http.self, chunks: chunks)
            XCTAssertNil(outcome.error, "split \(index)", file: file, line: line)
            XCTAssertEqual(outcome.leftover, 0, "split \(index)", file: file, line: line)
            let got = outcome.messages.compactMap { $0.value(as: Request.self) }.map(describe)
            XCTAssertEqual(got, expected, "split \(index)", file: file, line: line)
        }
    }

    /// The error status `wire` is refused with (in every split), or nil when it is accepted.
    private func refusal(_ wire: [UInt8], maxPackageSize: Int = TcpConnection.defaultMaxPackageSize) -> [String?] {
        WireProtocolVerifier.splits(of: wire, randomSplits: 5).map { chunks in
            WireProtocolVerifier.feed(Http.self, chunks: chunks, maxPackageSize: maxPackageSize).error.map {
                String($0.prefix(3))
            }
        }
    }

    private func assertRefused(
        _ wire: String, with status: String, file: StaticString = #filePath, line: UInt = #line
    ) {
        let statuses = refusal(Array(wire.utf8))
        XCTAssertEqual(Set(statuses), [status], wire, file: file, line: line)
    }

    func testGetAndPipelinedRequestsInAnySplit() {
        let wire =
            "GET /a?x=1 HTTP/1.1\r\nHost: h\r\n\r\n"
            + "POST /b HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello"
            + "\r\nGET /c HTTP/1.0\r\n\r\n"
        assertDecodes(wire, to: ["GET /a?x=1 ", "POST /b hello", "GET /c "])
    }

    func testChunkedBodyWithExtensionsAndTrailers() {
        let wire =
            "POST /up HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "5;name=value\r\nhello\r\n7\r\n, world\r\n0\r\nX-Checksum: abc\r\n\r\n"
            + "GET /next HTTP/1.1\r\nHost: h\r\n\r\n"
        assertDecodes(wire, to: ["hello, world abc", " "]) { "\($0.body) \($0.trailer("x-checksum") ?? "")" }
    }

    func testHeadersAreCaseInsensitiveAndRepeated() {
        let wire = "GET / HTTP/1.1\r\nHost: example.com:8080\r\nX-A: 1\r\nx-a:   2  \r\nCookie: a=1; b=%41\r\n\r\n"
        assertDecodes(wire, to: ["1,2 example.com 1 A"]) { request in
            "\(request.headers.values(for: "X-A").joined(separator: ",")) \(request.hostName!) "
                + "\(request.cookie("a")!) \(request.cookie("b")!)"
        }
    }

    func testQueryParametersArePercentDecodedUtf8AndRepeated() {
        let wire = "GET /p%20q?a=1&a=2&b%5B%5D=x&b[]=y&s=caf%C3%A9+ok&empty&bad=%zz HTTP/1.1\r\nHost: h\r\n\r\n"
        assertDecodes(wire, to: ["/p%20q 2 1,2 x,y café ok  %zz"]) { request in
            "\(request.path) \(request.get("a")!) \(request.query.values(for: "a").joined(separator: ",")) \(request.query.values(for: "b").joined(separator: ",")) "
                + "\(request.get("s")!) \(request.get("empty")!) \(request.get("bad")!)"
        }
    }

    func testUrlEncodedAndMultipartBodies() throws {
        let form = "name=J%C3%BCrgen&tags[]=a&tags[]=b"
        assertDecodes(
            "POST /f HTTP/1.1\r\nHost: h\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                + "Content-Length: \(form.utf8.count)\r\n\r\n\(form)",
            to: ["Jürgen a,b"]
        ) { "\($0.post("name")!) \($0.form.values(for: "tags").joined(separator: ","))" }

        let boundary = "XyZ"
        let multipart =
            "--XyZ\r\nContent-Disposition: form-data; name=\"field\"\r\n\r\nvalue\r\n"
            + "--XyZ\r\nContent-Disposition: form-data; name=\"up\"; filename=\"../../a.txt\"\r\n"
            + "Content-Type: text/plain\r\n\r\nfile\r\nbody\r\n--XyZ--\r\n"
        assertDecodes(
            "POST /m HTTP/1.1\r\nHost: h\r\nContent-Type: multipart/form-data; boundary=\(boundary)\r\n"
                + "Content-Length: \(multipart.utf8.count)\r\n\r\n\(multipart)",
            to: ["value up a.txt text/plain 10 file\r\nbody"]
        ) { request in
            let file = request.file("up")!
            return "\(request.post("field")!) \(file.fieldName) \(file.fileName) \(file.contentType) \(file.size) "
                + String(decoding: file.readBytes(), as: UTF8.self)
        }
    }

    func testLargeUploadsGoToATemporaryFileRemovedWithTheRequest() throws {
        let worker = Worker()
        worker.http.uploadMemoryLimit = 10
        let content = String(repeating: "z", count: 100)
        let body = "--B\r\nContent-Disposition: form-data; name=\"f\"; filename=\"z\"\r\n\r\n\(content)\r\n--B--\r\n"
        let wire =
            "POST / HTTP/1.1\r\nHost: h\r\nContent-Type: multipart/form-data; boundary=B\r\n"
            + "Content-Length: \(body.utf8.count)\r\n\r\n\(body)"
        var path: String?
        do {
            let outcome = WireProtocolVerifier.feed(Http.self, chunks: [Array(wire.utf8)], worker: worker)
            let file = try XCTUnwrap(outcome.messages.first?.value(as: Request.self)?.files.first)
            path = file.temporaryPath
            XCTAssertNil(file.data)
            XCTAssertEqual(String(decoding: file.readBytes(), as: UTF8.self), content)
            XCTAssertTrue(FileManager.default.fileExists(atPath: try XCTUnwrap(path)))
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: try XCTUnwrap(path)), "removed with its request")
    }

    func testMalformedRequestsAreRefusedWith400() {
        assertRefused("GET  / HTTP/1.1\r\nHost: h\r\n\r\n", with: "400")
        assertRefused("GET /\u{7f} HTTP/1.1\r\nHost: h\r\n\r\n", with: "400")
        assertRefused("GET / HTTP/1.1 \r\nHost: h\r\n\r\n", with: "400")
        assertRefused("GET noslash HTTP/1.1\r\nHost: h\r\n\r\n", with: "400")
        assertRefused("G(T / HTTP/1.1\r\nHost: h\r\n\r\n", with: "400")
        assertRefused("GET / HTTP/1.1\r\nHost: h\r\nBad Name: x\r\n\r\n", with: "400")
        assertRefused("GET / HTTP/1.1\r\nHost: h\r\nName : x\r\n\r\n", with: "400")
        assertRefused("GET / HTTP/1.1\r\nHost: h\r\nX: a\r\n folded\r\n\r\n", with: "400")
        assertRefused("GET / HTTP/1.1\r\nHost: h\nX: bare LF\r\n\r\n", with: "400")
        assertRefused("GET / HTTP/1.1\r\nHost: h\r\nX: a\u{0}b\r\n\r\n", with: "400")
        assertRefused("GET / HTTP/1.1\r\n\r\n", with: "400")  // no Host on 1.1
        assertRefused("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", with: "400")
        assertRefused("GET / HTTP/1.1\r\nHost: a b\r\n\r\n", with: "400")
        assertRefused(
            "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n", with: "400")
        assertRefused("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: -1\r\n\r\n", with: "400")
        assertRefused("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nx", with: "400")
        assertRefused("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 0x10\r\n\r\n", with: "400")
        assertRefused("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", with: "400")
        assertRefused("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcX\r\n", with: "400")
        assertRefused("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", with: "400")
        assertRefused("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip\r\n\r\n", with: "501")
        assertRefused("GET / HTTP/2.0\r\nHost: h\r\n\r\n", with: "505")
    }

    func testOversizedHeadsGet431AndBodies413() {
        let bigHead = "GET / HTTP/1.1\r\nHost: h\r\nX: " + String(repeating: "a", count: 17_000)
        XCTAssertEqual(Set(refusal(Array(bigHead.utf8))), ["431"], "no end of head within 16 KiB")
        XCTAssertEqual(Set(refusal(Array((bigHead + "\r\n\r\n").utf8))), ["431"])
        let fits = "GET / HTTP/1.1\r\nHost: h\r\nX: " + String(repeating: "a", count: 16_000) + "\r\n\r\n"
        XCTAssertEqual(Set(refusal(Array(fits.utf8))), [nil])

        let post = "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 2000\r\n\r\n"
        XCTAssertEqual(Set(refusal(Array(post.utf8), maxPackageSize: 1000)), ["413"])
        let hugeChunk = "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\n"
        XCTAssertEqual(Set(refusal(Array(hugeChunk.utf8))), ["413"])
    }

    func testABodyOverMaxBodySizeGets413EvenWhenItWouldFitInMemory() {
        let worker = Worker("http://127.0.0.1:0")
        worker.http.maxBodySize = 1000  // uploadMemoryLimit stays 1 MiB: the body would come in one packet
        let wire =
            Array("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1001\r\n\r\n".utf8)
            + Array(repeating: 0x61, count: 1001)
        let statuses = WireProtocolVerifier.splits(of: wire, randomSplits: 3).map { chunks in
            WireProtocolVerifier.feed(Http.self, chunks: chunks, worker: worker).error.map { String($0.prefix(3)) }
        }
        XCTAssertEqual(Set(statuses), ["413"])
        let fits =
            Array("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1000\r\n\r\n".utf8)
            + Array(repeating: 0x61, count: 1000)
        XCTAssertNil(WireProtocolVerifier.feed(Http.self, chunks: [fits], worker: worker).error)
    }

    func testBareLineFeedsAreRefusedAtOnceWithoutWaitingForTheHeadToEnd() {
        // Every split, even the first byte alone, is answered as soon as the bare LF arrives: no
        // "\r\n\r\n" ever comes, so waiting would hold the connection until its timeout.
        assertRefused("GET / HTTP/1.1\nHost: h\n\n", with: "400")
        assertRefused("GET / HTTP/1.1\r\nHost: h\n", with: "400")
        assertRefused("\nGET / HTTP/1.1\r\nHost: h\r\n\r\n", with: "400")
        assertRefused("GET / HTTP/1.1\r\nHost: h\nX: y\r\n\r\n", with: "400")
    }

    func testEmptyLinesBeforeARequestLineAreIgnored() {
        assertDecodes("\r\nGET /a HTTP/1.1\r\nHost: h\r\n\r\n", to: ["GET /a "])
        assertDecodes("\r\n\r\n\r\nGET /b HTTP/1.1\r\nHost: h\r\n\r\n", to: ["GET /b "])
        assertDecodes(
            "GET /c HTTP/1.1\r\nHost: h\r\n\r\n\r\n\r\nGET /d HTTP/1.1\r\nHost: h\r\n\r\n", to: ["GET /c ", "GET /d "])
    }

    func testHostileBytesNeverCrashTheParser() {
        var generator = SystemRandomNumberGenerator()
        let seeds = [
            "GET / HTTP/1.1\r\nHost: h\r\n\r\n",
            "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\nT: v\r\n\r\n",
            "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc",
        ]
        for _ in 0..<2000 {
            var bytes = Array(seeds.randomElement(using: &generator)!.utf8)
            for _ in 0..<Int.random(in: 1...6, using: &generator) {
                let index = Int.random(in: 0..<bytes.count, using: &generator)
                switch Int.random(in: 0..<3, using: &generator) {
                case 0: bytes[index] = UInt8.random(in: 0...255, using: &generator)
                case 1: bytes.remove(at: index)
                default: bytes.insert(UInt8.random(in: 0...255, using: &generator), at: index)
                }
                if bytes.isEmpty { bytes = [0] }
            }
            _ = WireProtocolVerifier.feed(Http.self, chunks: [bytes])
            _ = WireProtocolVerifier.feed(Http.self, chunks: bytes.map { [$0] })
        }
    }
}
