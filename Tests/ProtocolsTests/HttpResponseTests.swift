import Foundation
import Workerman
import XCTest

@testable import WorkermanCore
@testable import WorkermanProtocols

/// Response encoding, static-path safety and Range parsing.
final class HttpResponseTests: XCTestCase {
    /// The bytes `messages` encode to after the requests in `wire` were decoded on one connection.
    private func encode(after wire: String, _ messages: [Message]) throws -> String {
        let connection = TcpConnection.unconnected(protocol: Http.self)
        var state = Http.makeState(for: connection)
        var pending = Array(wire.utf8)
        while !pending.isEmpty {
            let length = try pending.withUnsafeBytes { raw -> Int in
                guard case .packet(let length) = Http.input(ByteView(raw), state: &state, connection: connection) else {
                    throw ProtocolError("no packet")
                }
                let packet = ByteView(UnsafeRawBufferPointer(rebasing: raw[0..<length]))
                _ = try Http.decode(packet, state: &state, connection: connection)
                return length
            }
            pending.removeFirst(length)
        }
        var buffer = ByteBuffer()
        for message in messages { try Http.encode(message, state: &state, connection: connection, into: &buffer) }
        return buffer.readableString.replacingOccurrences(
            of: "Date: [^\r]*\r\n", with: "", options: .regularExpression)
    }

    func testAPlainStringIsA200HtmlPageKeptAlive() throws {
        XCTAssertEqual(
            try encode(after: "GET / HTTP/1.1\r\nHost: h\r\n\r\n", ["hello"]),
            "HTTP/1.1 200 OK\r\nServer: workerman\r\nContent-Type: text/html;charset=utf-8\r\n"
                + "Content-Length: 5\r\nConnection: keep-alive\r\n\r\nhello")
    }

    func testHeadGetsTheLengthWithoutTheBodyAndHttp10Closes() throws {
        XCTAssertTrue(
            try encode(after: "HEAD / HTTP/1.1\r\nHost: h\r\n\r\n", ["hello"]).hasSuffix(
                "Content-Length: 5\r\nConnection: keep-alive\r\n\r\n"))
        XCTAssertTrue(try encode(after: "GET / HTTP/1.0\r\n\r\n", ["x"]).contains("Connection: close\r\n"))
        XCTAssertTrue(
            try encode(after: "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", ["x"]).contains(
                "Connection: keep-alive\r\n"))
        XCTAssertTrue(
            try encode(after: "GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n", ["x"]).contains(
                "Connection: close\r\n"))
    }

    func testStatusHeadersAndCookiesWithEveryAttribute() throws {
        let response = Response(201, headers: ["X-Id": "7"], body: "{}").withHeader("Content-Type", "application/json")
            .cookie(
                "sid", "a b;c", maxAge: 60, path: "/", domain: "example.com", secure: true, httpOnly: true,
                sameSite: .lax)
        let text = try encode(after: "GET / HTTP/1.1\r\nHost: h\r\n\r\n", [.object(response)])
        XCTAssertTrue(text.hasPrefix("HTTP/1.1 201 Created\r\n"), text)
        XCTAssertTrue(text.contains("X-Id: 7\r\nContent-Type: application/json\r\n"), text)
        XCTAssertTrue(
            text.contains(
                "Set-Cookie: sid=a%20b%3Bc; Max-Age=60; Path=/; Domain=example.com; Secure; HttpOnly; SameSite=Lax\r\n"),
            text)
    }

    func testHeaderValuesWithCrOrLfAreRefusedWithA500() throws {
        let response = Response(200, headers: ["Location": "/x\r\nSet-Cookie: evil=1"])
        let text = try encode(after: "GET / HTTP/1.1\r\nHost: h\r\n\r\n", [.object(response)])
        XCTAssertTrue(text.hasPrefix("HTTP/1.1 500 "), text)
        XCTAssertFalse(text.contains("evil"), text)
    }

    func testChunkedResponsesAndPipelinedOrder() throws {
        let text = try encode(
            after: "GET /1 HTTP/1.1\r\nHost: h\r\n\r\nHEAD /2 HTTP/1.1\r\nHost: h\r\n\r\n",
            [
                .object(Response(200, headers: ["Transfer-Encoding": "chunked"], body: "ab")), .object(Chunk("cde")),
                .object(Chunk("")), "second",
            ])
        XCTAssertTrue(
            text.contains(
                "Transfer-Encoding: chunked\r\nConnection: keep-alive\r\n\r\n2\r\nab\r\n3\r\ncde\r\n0\r\n\r\n"), text)
        XCTAssertTrue(
            text.hasSuffix("Content-Length: 6\r\nConnection: keep-alive\r\n\r\n"),
            "the second answer is HEAD's: \(text)")
    }

    func testServerSentEvents() throws {
        let text = try encode(
            after: "GET / HTTP/1.1\r\nHost: h\r\n\r\n",
            [
                .object(Response(200, headers: ["Content-Type": "text/event-stream"])),
                .object(ServerSentEvent(data: "a\nb", event: "e", id: "1")),
            ])
        XCTAssertFalse(text.contains("Content-Length"), text)
        XCTAssertTrue(text.hasSuffix("\r\n\r\nevent: e\nid: 1\ndata: a\ndata: b\n\n"), text)
    }

    func testStaticPathsNeverLeaveTheRoot() throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("http-root-\(UUID().uuidString)")
        let root = base.appendingPathComponent("www")
        try FileManager.default.createDirectory(
            at: root.appendingPathComponent("sub"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: base) }
        try "secret".write(to: base.appendingPathComponent("secret.txt"), atomically: true, encoding: .utf8)
        try "page".write(to: root.appendingPathComponent("sub/index.html"), atomically: true, encoding: .utf8)
        try "a".write(to: root.appendingPathComponent("a.txt"), atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(
            atPath: root.appendingPathComponent("escape").path,
            withDestinationPath: base.appendingPathComponent("secret.txt").path)

        let web = WebServer("tcp://127.0.0.1:0")
        web.addRoot("localhost", root.path)
        let server = WebServerProbe(web)
        XCTAssertEqual(server.status("/a.txt"), 200)
        XCTAssertEqual(server.status("/sub/"), 200)
        XCTAssertEqual(server.status("/sub/../a.txt"), 200)
        XCTAssertEqual(server.status("/../secret.txt"), 403)
        XCTAssertEqual(server.status("/%2e%2e/secret.txt"), 403)
        XCTAssertEqual(server.status("/sub/%2E%2E/%2e%2e/secret.txt"), 403)
        XCTAssertEqual(server.status("/escape"), 403, "a symlink out of the root")
        XCTAssertEqual(server.status("/a.txt%00.html"), 403)
        XCTAssertEqual(server.status("/missing"), 404)
    }

    /// Issue 15.7: `Response().withFile(...)` sends the type and Last-Modified the WebServer sends.
    func testAFileResponseCarriesTheTypeAndDateTheWebServerSends() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("http-file-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        let path = root.appendingPathComponent("hello.txt").path
        try "hello".write(toFile: path, atomically: true, encoding: .utf8)
        let web = WebServer("tcp://127.0.0.1:0")
        web.addRoot("localhost", root.path)
        guard let served = WebServerProbe(web).response("/hello.txt") else { return XCTFail("no response") }

        let direct = Response().withFile(path)
        XCTAssertEqual(direct.headers["Content-Type"], "text/plain;charset=utf-8")
        XCTAssertEqual(direct.headers["Content-Type"], served.headers["Content-Type"])
        XCTAssertNotNil(direct.headers["Last-Modified"])
        XCTAssertEqual(direct.headers["Last-Modified"], served.headers["Last-Modified"])
        let wire = try encode(after: "GET / HTTP/1.1\r\nHost: x\r\n\r\n", [.object(direct)])
        XCTAssertTrue(wire.contains("Content-Type: text/plain;charset=utf-8\r\n"), wire)
        XCTAssertFalse(wire.contains("text/html"), wire)
        XCTAssertTrue(wire.hasSuffix("\r\n\r\nhello"), wire)

        let typed = Response(headers: ["Content-Type": "text/x-greeting"]).withFile(path)
        XCTAssertEqual(typed.headers["Content-Type"], "text/x-greeting", "a type the caller set stays")
        XCTAssertNil(Response().withFile(root.appendingPathComponent("missing.txt").path).headers["Last-Modified"])
    }

    /// Issue 15: `worker.onRequest` reads back what was set (its getter used to return nil).
    func testOnRequestReadsBackWhatWasSet() {
        let worker = Worker("http://127.0.0.1:0")
        XCTAssertNil(worker.onRequest)
        worker.onRequest = { connection, _ in connection.send("hello") }
        XCTAssertNotNil(worker.onRequest)
        worker.onRequest = nil
        XCTAssertNil(worker.onRequest)
    }

    func testRangeHeaders() {
        XCTAssertEqual(StaticFile.byteRange("bytes=0-4", size: 10), .range(0, 4))
        XCTAssertEqual(StaticFile.byteRange("bytes=5-", size: 10), .range(5, 9))
        XCTAssertEqual(StaticFile.byteRange("bytes=-3", size: 10), .range(7, 9))
        XCTAssertEqual(StaticFile.byteRange("bytes=2-100", size: 10), .range(2, 9))
        XCTAssertEqual(StaticFile.byteRange("bytes=10-", size: 10), .unsatisfiable)
        XCTAssertEqual(StaticFile.byteRange("bytes=0-1,3-4", size: 10), .none)
        XCTAssertEqual(StaticFile.byteRange("items=0-1", size: 10), .none)
        XCTAssertEqual(StaticFile.byteRange("bytes=5-2", size: 10), .none)
    }

    func testHttpDatesRoundTrip() {
        XCTAssertEqual(HttpDate.format(784_111_777), "Sun, 06 Nov 1994 08:49:37 GMT")
        XCTAssertEqual(HttpDate.parse("Sun, 06 Nov 1994 08:49:37 GMT"), 784_111_777)
        XCTAssertNil(HttpDate.parse("yesterday"))
    }
}

/// Drives a WebServer's request handling without sockets: the status it answers a GET with.
private struct WebServerProbe {
    let web: WebServer

    init(_ web: WebServer) { self.web = web }

    func status(_ path: String) -> Int { response(path)?.status ?? -1 }

    /// The response the WebServer sends for `GET path`.
    func response(_ path: String) -> Response? {
        var response: Response?
        let wire = Array("GET \(path) HTTP/1.1\r\nHost: localhost\r\n\r\n".utf8)
        let outcome = WireProtocolVerifier.feed(Http.self, chunks: [wire])
        guard let request = outcome.messages.first?.value(as: Request.self) else { return nil }
        let capture = CapturingConnection { response = $0 }
        web.worker.onRequest?(capture, request)
        return response
    }
}

/// A connection that records the Response sent to it (it has no protocol, so a Response reaches
/// `send(_:raw:)` as a message).
private final class CapturingConnection: TcpConnection {
    let onResponse: (Response) -> Void

    init(_ onResponse: @escaping (Response) -> Void) {
        self.onResponse = onResponse
        super.init(fd: -1, remote: nil, protocol: nil)
    }

    override func send(_ message: Message, raw: Bool = false) -> SendResult {
        if let response = message.value(as: Response.self) { onResponse(response) }
        return .written
    }
}
