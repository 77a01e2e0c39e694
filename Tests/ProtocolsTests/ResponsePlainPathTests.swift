import WorkermanCore
import XCTest

@testable import WorkermanProtocols

/// The encoder's path for plain responses (a header list seen before, status 200, nothing else):
/// it writes what the general path writes.
final class ResponsePlainPathTests: XCTestCase {
    override func setUp() {
        super.setUp()
        ResponseFieldCache.removeAll()
    }

    /// The head and body of `response` answering a request like `request`, sent twice: the first
    /// send takes the general path (a list seen for the first time), the second the plain one.
    private func sentTwice(
        _ response: Response, request: HttpConnectionState.PendingRequest? = nil
    ) throws -> (general: String, plain: String) {
        let connection = TcpConnection.unconnected(protocol: Http.self)
        var state = Http.makeState(for: connection)
        var texts: [String] = []
        for _ in 0..<2 {
            if let request { state.pending.append(request) }
            var buffer = ByteBuffer()
            try Http.encode(.object(response), state: &state, connection: connection, into: &buffer)
            texts.append(buffer.readableString)
        }
        return (texts[0], texts[1])
    }

    private func withoutDate(_ text: String) -> String {
        text.split(separator: "\r\n", omittingEmptySubsequences: false).filter { !$0.hasPrefix("Date: ") }
            .joined(separator: "\r\n")
    }

    func testThePlainPathWritesWhatTheGeneralPathWrites() throws {
        let sent = try sentTwice(Response(200, headers: ["Content-Type": "text/plain"], body: "Hello, World!"))
        XCTAssertEqual(withoutDate(sent.plain), withoutDate(sent.general))
        XCTAssertTrue(sent.plain.hasPrefix("HTTP/1.1 200 OK\r\nServer: workerman\r\nDate: "))
        XCTAssertTrue(
            sent.plain.hasSuffix(
                "GMT\r\nContent-Type: text/plain\r\nContent-Length: 13\r\nConnection: keep-alive\r\n\r\nHello, World!"))
    }

    func testTheApplicationsDateAndServerReplaceTheEncoders() throws {
        let sent = try sentTwice(Response(200, headers: ["Date": "yesterday", "Server": "mine"], body: "x"))
        XCTAssertEqual(sent.plain, sent.general)
        XCTAssertEqual(sent.plain.components(separatedBy: "Date: ").count, 2, "one Date line")
        XCTAssertEqual(sent.plain.components(separatedBy: "Server: ").count, 2, "one Server line")
        XCTAssertTrue(sent.plain.contains("\r\nDate: yesterday\r\nServer: mine\r\n"))
        XCTAssertTrue(sent.plain.contains("Content-Type: text/html;charset=utf-8\r\n"), "the default for a body")
    }

    func testAnEmptyBodyGetsNoContentTypeAndAHeadRequestNoBody() throws {
        let empty = try sentTwice(Response(200, headers: ["X-Id": "1"]))
        XCTAssertEqual(withoutDate(empty.plain), withoutDate(empty.general))
        XCTAssertFalse(empty.plain.contains("Content-Type"))
        XCTAssertTrue(empty.plain.hasSuffix("X-Id: 1\r\nContent-Length: 0\r\nConnection: keep-alive\r\n\r\n"))
        let head = try sentTwice(
            Response(200, headers: ["X-Id": "2"], body: "body"),
            request: .init(isHead: true, keepAlive: false, isHttp10: false))
        XCTAssertEqual(withoutDate(head.plain), withoutDate(head.general))
        XCTAssertTrue(head.plain.hasSuffix("Content-Length: 4\r\nConnection: close\r\n\r\n"), "no body after the head")
    }

    func testAResponseWithCookiesOrAnotherStatusKeepsThemOnItsSecondSend() throws {
        let cookie = try sentTwice(Response(200, headers: ["X-Id": "3"], body: "c").cookie("a", "b"))
        XCTAssertEqual(withoutDate(cookie.plain), withoutDate(cookie.general))
        XCTAssertTrue(cookie.plain.contains("\r\nSet-Cookie: a=b"))
        let created = try sentTwice(Response(201, headers: ["X-Id": "4"], body: "d"))
        XCTAssertTrue(created.plain.hasPrefix("HTTP/1.1 201 Created\r\n"))
        let reason = try sentTwice(Response(200, headers: ["X-Id": "5"], body: "e").withStatus(200, reason: "Fine"))
        XCTAssertTrue(reason.plain.hasPrefix("HTTP/1.1 200 Fine\r\n"))
    }
}
