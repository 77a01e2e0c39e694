import Workerman
import XCTest

/// A `Request` decodes its method, target, version and headers from the head's bytes on first use:
/// the same values whether the head is kept in the object (short) or in a block of its own (long),
/// after leading empty lines, and for methods and versions that are not the common spellings.
final class HttpRequestLazyPartsTests: XCTestCase {
    private func request(_ wire: String) throws -> Request {
        let outcome = WireProtocolVerifier.feed(Http.self, chunks: [Array(wire.utf8)])
        XCTAssertNil(outcome.error)
        guard case .object(let value)? = outcome.messages.first else {
            return try XCTUnwrap(nil as Request?, "no request decoded from \(wire.debugDescription)")
        }
        return try XCTUnwrap(value as? Request)
    }

    /// Checks the parts of the request line, `[method, uri, path, queryString, protocolVersion]`.
    private func assertLine(_ request: Request, _ expected: [String], line: UInt = #line) {
        let parts = [request.method, request.uri, request.path, request.queryString, request.protocolVersion]
        XCTAssertEqual(parts, expected, line: line)
    }

    func testAShortHeadKeptInTheRequestDecodesItsParts() throws {
        let request = try request("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
        assertLine(request, ["GET", "/", "/", "", "1.1"])
        XCTAssertEqual(request.headers.fields.map { "\($0.name)=\($0.value)" }, ["Host=a"])
        XCTAssertEqual(request.host, "a")
        XCTAssertTrue(request.keepAlive)
        XCTAssertEqual(request.description, "GET / HTTP/1.1")
    }

    func testALongHeadInABlockOfItsOwnDecodesItsParts() throws {
        let agent = String(repeating: "x", count: 200)
        let request = try request(
            "\r\n\r\nPROPFIND /d%20ir/f?x=1&y=%C3%A9 HTTP/1.0\r\nHost: example.com:81\r\nUser-Agent:  \(agent) \r\n"
                + "Connection: keep-alive\r\nX-A: 1\r\nx-a: 2\r\n\r\n")
        assertLine(request, ["PROPFIND", "/d%20ir/f?x=1&y=%C3%A9", "/d%20ir/f", "x=1&y=%C3%A9", "1.0"])
        XCTAssertEqual(request.get("y"), "é")
        XCTAssertEqual(request.header("user-agent"), agent)
        XCTAssertEqual(request.headers.values(for: "X-A"), ["1", "2"])
        XCTAssertEqual(request.hostName, "example.com")
        XCTAssertTrue(request.keepAlive)
        XCTAssertEqual(request.trailers.fields.count, 0)
    }

    func testAHeadRequestAndAnAbsoluteTarget() throws {
        let request = try request("HEAD http://h/p?q HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
        assertLine(request, ["HEAD", "http://h/p?q", "/p", "q", "1.1"])
        XCTAssertFalse(request.keepAlive)
    }
}
