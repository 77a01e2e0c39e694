import WorkermanCore
import XCTest

@testable import WorkermanProtocols

/// Response header lists: written as dictionary literals, kept in order, validated once per list.
final class HttpHeadersTests: XCTestCase {
    override func setUp() {
        super.setUp()
        ResponseFieldCache.removeAll()
    }

    func testALiteralKeepsItsOrderAndRepeats() {
        let headers: HttpHeaders = ["X-B": "2", "Content-Type": "text/event-stream", "X-B": "3"]
        XCTAssertEqual(headers.fields.map(\.name), ["X-B", "Content-Type", "X-B"])
        XCTAssertEqual(headers.values(for: "x-b"), ["2", "3"])
        var names: [String] = []
        for (name, _) in headers { names.append(name) }
        XCTAssertEqual(names, ["X-B", "Content-Type", "X-B"])
    }

    func testAListIsSummarisedOnceAndWrittenOutAtItsSecondUse() {
        let headers: HttpHeaders = ["X-B": "2", "Content-Type": "text/plain"]
        let first = ResponseFieldCache.lookup(headers.fields)
        XCTAssertNil(first.summary.problem)
        XCTAssertTrue(first.summary.hasContentType)
        XCTAssertFalse(first.summary.hasFramingField)
        XCTAssertNil(first.wire, "a list seen once is not written out")
        XCTAssertEqual(ResponseFieldCache.count, 1)
        let second = ResponseFieldCache.lookup(headers.fields)
        XCTAssertEqual(
            second.wire.map { String(decoding: $0, as: UTF8.self) }, "X-B: 2\r\nContent-Type: text/plain\r\n")
        XCTAssertEqual(ResponseFieldCache.count, 1, "found again, not added again")
    }

    func testFramingFieldsAreSummarisedAndNeverWrittenOutAsTheyAre() {
        let headers: HttpHeaders = ["X-B": "2", "Content-Type": "text/event-stream", "Connection": "close"]
        _ = ResponseFieldCache.lookup(headers.fields)
        let found = ResponseFieldCache.lookup(headers.fields)
        let summary = found.summary
        XCTAssertNil(found.wire, "the encoder writes its own Connection field")
        XCTAssertNil(summary.problem)
        XCTAssertTrue(summary.isEventStream)
        XCTAssertTrue(summary.closes)
        XCTAssertTrue(summary.hasFramingField)
        XCTAssertTrue(summary.hasContentType)
    }

    func testAnInvalidFieldIsFoundAndNamed() {
        let splitting: HttpHeaders = ["Content-Type": "text/plain", "X-Bad": "a\r\nb"]
        let problem = ResponseFieldCache.lookup(splitting.fields).summary.problem
        XCTAssertEqual(problem, .value(index: 1))
        XCTAssertEqual(problem?.description(in: splitting.fields), "CR, LF or NUL in X-Bad")
        XCTAssertNil(ResponseFieldCache.lookup(splitting.fields).wire, "an invalid list is never written out")
    }

    func testAListChangedAfterItWasSummarisedIsSummarisedAgain() {
        var headers: HttpHeaders = ["Content-Type": "text/plain"]
        XCTAssertNil(ResponseFieldCache.lookup(headers.fields).summary.problem)
        headers.add("Bad Name", "x")
        let problem = ResponseFieldCache.lookup(headers.fields).summary.problem
        XCTAssertEqual(problem, .name(index: 1), "the changed list is a new array, not the one kept")
        XCTAssertEqual(problem?.description(in: headers.fields), "header name 'Bad Name'")
        headers.remove("bad name")
        XCTAssertNil(ResponseFieldCache.lookup(headers.fields).summary.problem)
    }

    func testTheCacheKeepsAtMostItsCapacity() {
        var kept: [HttpHeaders] = []
        for index in 0..<(ResponseFieldCache.capacity + 3) {
            var headers = HttpHeaders()
            headers.add("X-Id", String(index))
            kept.append(headers)
            _ = ResponseFieldCache.lookup(headers.fields)
        }
        XCTAssertEqual(ResponseFieldCache.count, ResponseFieldCache.capacity)
        let last = ResponseFieldCache.lookup(kept[kept.count - 1].fields)
        XCTAssertEqual(last.wire.map { String(decoding: $0, as: UTF8.self) }, "X-Id: 10\r\n", "the newest is kept")
    }

    func testAResponseSentTwiceIsWrittenTheSameBothTimes() throws {
        let response = Response(200, body: "x")
        response.headers = HttpHeaders()
        response.headers.add("X-Id", "7")
        let connection = TcpConnection.unconnected(protocol: Http.self)
        var state = Http.makeState(for: connection)
        var first = ByteBuffer()
        try Http.encode(.object(response), state: &state, connection: connection, into: &first)
        var second = ByteBuffer()
        try Http.encode(.object(response), state: &state, connection: connection, into: &second)
        XCTAssertTrue(first.readableString.contains("\r\nX-Id: 7\r\n"))
        XCTAssertTrue(second.readableString.contains("\r\nX-Id: 7\r\n"), "written from the cache's wire form")
        XCTAssertEqual(withoutDate(first.readableString), withoutDate(second.readableString))
    }

    private func withoutDate(_ head: String) -> String {
        head.split(separator: "\r\n", omittingEmptySubsequences: false).filter { !$0.hasPrefix("Date: ") }
            .joined(separator: "\r\n")
    }
}
