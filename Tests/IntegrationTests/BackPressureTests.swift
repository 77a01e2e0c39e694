import Foundation
import WorkermanTestSupport
import XCTest

/// Issue 16 item 6: a client that pipelines requests without reading the answers used to lose them
/// (the send buffer filled, later responses were dropped on a live connection). HTTP now stops
/// reading such a connection while its send buffer is full and reads again once it drains.
final class BackPressureTests: XCTestCase {
    func testThreeHundredThousandPipelinedRequestsWrittenWithoutReadingAllGetTheirResponse() throws {
        let server = try HttpExampleServer()
        defer { server.process.stop() }
        let total = 300_000
        let client = try BlockingClient(port: server.port, timeout: 60)
        let batch = Array(String(repeating: "GET / HTTP/1.1\r\nHost: h\r\n\r\n", count: 1000).utf8)
        let writer = Background {
            for _ in 0..<(total / 1000) { try client.send(batch) }
        }
        // Nothing is read until every request is written or 10 s have passed (the server stops reading
        // once its send buffer is full, so the writer waits): the server answers until the socket
        // buffers and its send buffer are full, then must wait for this client instead of dropping.
        _ = spinUntil(timeout: 10) { writer.isFinished }
        var responses = 0
        while responses < total {
            let chunk = try client.receiveSome()
            XCTAssertFalse(chunk.isEmpty, "the connection closed after \(responses) responses")
            if chunk.isEmpty { break }
            // Each response's body is "Hello, World!"; no header carries a "!".
            responses += chunk.reduce(0) { $0 + ($1 == UInt8(ascii: "!") ? 1 : 0) }
        }
        XCTAssertEqual(responses, total)
        XCTAssertTrue(spinUntil(timeout: 30) { writer.isFinished })
        XCTAssertNil(writer.error)
        try client.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n")
        XCTAssertTrue(try client.receive(untilSuffix: "Hello, World!").hasPrefix("HTTP/1.1 200"), "still open")
        client.close()
    }

    private func spinUntil(timeout: Double, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while !condition() && Date() < deadline { usleep(10_000) }
        return condition()
    }
}
