import WorkermanCore
import XCTest

@testable import WorkermanProtocols

/// Response header lists: written as dictionary literals, kept in order, validated once.
final class HttpHeadersTests: XCTestCase {
    func testALiteralKeepsItsOrderAndRepeatsAndIsSummarisedWhenMade() {
        let headers: HttpHeaders = ["X-B": "2", "Content-Type": "text/event-stream", "Connection": "close"]
        XCTAssertEqual(headers.fields.map(\.name), ["X-B", "Content-Type", "Connection"])
        let summary = try? XCTUnwrap(headers.summary, "worked out when the literal was made")
        XCTAssertNil(summary?.problem)
        XCTAssertEqual(summary?.isEventStream, true)
        XCTAssertEqual(summary?.closes, true)
        XCTAssertEqual(summary?.hasFramingField, true)
        XCTAssertEqual(summary?.hasContentType, true)
    }

    func testAnInvalidFieldIsFoundWhenTheListIsMadeOrAdded() {
        let splitting: HttpHeaders = ["Content-Type": "text/plain", "X-Bad": "a\r\nb"]
        XCTAssertEqual(splitting.summary?.problem, "CR, LF or NUL in X-Bad")
        var added: HttpHeaders = ["Content-Type": "text/plain"]
        XCTAssertNil(added.summary?.problem)
        added.add("Bad Name", "x")
        XCTAssertEqual(added.summary?.problem, "header name 'Bad Name'")
        added.remove("bad name")
        XCTAssertNil(added.summary, "a removal forgets the summary")
        XCTAssertNil(added.responseSummary().problem, "and it is worked out again when asked for")
        XCTAssertNotNil(added.summary)
    }

    func testAResponseKeepsTheSummaryOfItsFirstSend() throws {
        let response = Response(200, body: "x")
        response.headers = HttpHeaders()
        response.headers.add("X-Id", "7")
        XCTAssertNil(response.headers.summary)
        let connection = TcpConnection.unconnected(protocol: Http.self)
        var state = Http.makeState(for: connection)
        var buffer = ByteBuffer()
        try Http.encode(.object(response), state: &state, connection: connection, into: &buffer)
        XCTAssertNotNil(response.headers.summary, "kept for the next send of the same response")
        XCTAssertTrue(buffer.readableString.contains("\r\nX-Id: 7\r\n"))
    }
}
