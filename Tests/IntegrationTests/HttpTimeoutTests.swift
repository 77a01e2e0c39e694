import Foundation
import Glibc
import WorkermanTestSupport
import XCTest

/// The Http timeouts against http-server started with one-second values (HTTP_KEEPALIVE_S,
/// HTTP_HEADER_TIMEOUT_S, HTTP_BODY_TIMEOUT_S): the sweeper runs once a second, so each fires
/// between one and about three seconds.
final class HttpTimeoutTests: XCTestCase {
    private var server: HttpExampleServer?

    override func tearDown() {
        server?.stop()
        server = nil
        super.tearDown()
    }

    private func start(_ environment: [String: String]) throws -> Int {
        let server = try HttpExampleServer(environment: environment)
        self.server = server
        return server.port
    }

    /// Everything the server sends until it closes, and how long that took from now.
    private func readUntilClosed(_ client: BlockingClient) throws -> (String, Double) {
        let started = Date()
        var received: [UInt8] = []
        while true {
            let chunk = try client.receiveSome()
            if chunk.isEmpty { break }
            received += chunk
        }
        return (String(decoding: received, as: UTF8.self), Date().timeIntervalSince(started))
    }

    func testAnIdleKeepAliveConnectionIsClosedAfterTheKeepAliveTimeout() throws {
        let port = try start(["HTTP_KEEPALIVE_S": "1"])
        let client = try BlockingClient(port: port, timeout: 6)
        try client.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n")
        XCTAssertTrue(try client.receive(untilSuffix: "Hello, World!").contains("Connection: keep-alive"))
        let (rest, elapsed) = try readUntilClosed(client)
        XCTAssertEqual(rest, "", "closed without another byte")
        XCTAssertGreaterThanOrEqual(elapsed, 0.9)
        XCTAssertLessThan(elapsed, 4)

        let busy = try BlockingClient(port: port, timeout: 6)  // a client that keeps asking stays
        for _ in 0..<4 {
            try busy.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n")
            XCTAssertTrue(try busy.receive(untilSuffix: "Hello, World!").hasPrefix("HTTP/1.1 200"))
            usleep(600_000)
        }
    }

    func testASlowlorisHeadGets408AfterTheHeaderTimeout() throws {
        let port = try start(["HTTP_HEADER_TIMEOUT_S": "1", "HTTP_KEEPALIVE_S": "30"])
        let client = try BlockingClient(port: port, timeout: 6)
        try client.send("GET / HTTP/1.1\r\nHost: h\r\n")
        let started = Date()
        for index in 0..<4 {  // a header line every 250 ms: the head keeps coming, too slowly
            try client.send("X-\(index): v\r\n")
            usleep(250_000)
        }
        let (reply, _) = try readUntilClosed(client)
        let elapsed = Date().timeIntervalSince(started)
        XCTAssertTrue(reply.hasPrefix("HTTP/1.1 408 Request Timeout"), reply)
        XCTAssertTrue(reply.contains("Connection: close"), reply)
        XCTAssertLessThan(elapsed, 5)
    }

    func testAStalledBodyGets408AfterTheBodyTimeout() throws {
        let port = try start(["HTTP_BODY_TIMEOUT_S": "1", "HTTP_HEADER_TIMEOUT_S": "30", "HTTP_KEEPALIVE_S": "30"])
        let client = try BlockingClient(port: port, timeout: 6)
        try client.send("POST /echo HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\nabc")
        let (reply, elapsed) = try readUntilClosed(client)
        XCTAssertTrue(reply.hasPrefix("HTTP/1.1 408 Request Timeout"), reply)
        XCTAssertGreaterThanOrEqual(elapsed, 0.9)
        XCTAssertLessThan(elapsed, 4)
    }

    func testCurlGetsA100ContinueBeforeSendingItsBody() throws {
        let port = try start([:])
        let body = String(repeating: "x", count: 5000)
        let (status, trace) = try HttpExampleServer.run(
            "curl",
            [
                "-sS", "-v", "-H", "Expect: 100-continue", "-H", "Content-Type: text/plain", "--data-binary", body,
                "http://127.0.0.1:\(port)/echo",
            ])
        XCTAssertEqual(status, 0, trace)
        let continued = try XCTUnwrap(trace.range(of: "< HTTP/1.1 100 Continue"), trace)
        let answered = try XCTUnwrap(trace.range(of: "< HTTP/1.1 200 OK"), trace)
        XCTAssertLessThan(continued.lowerBound, answered.lowerBound)
        XCTAssertTrue(trace.contains("\"bodySize\":5000"), trace)
    }
}
