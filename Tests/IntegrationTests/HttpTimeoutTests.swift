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
                // curl sends the body anyway after --expect100-timeout (1 s by default, too short on a
                // loaded machine); with 30 s, a trace without "100 Continue" means the server sent none.
                "-sS", "-v", "--expect100-timeout", "30", "-H", "Expect: 100-continue", "-H",
                "Content-Type: text/plain", "--data-binary", body,
                "http://127.0.0.1:\(port)/echo",
            ])
        XCTAssertEqual(status, 0, trace)
        let continued = try XCTUnwrap(trace.range(of: "< HTTP/1.1 100 Continue"), trace)
        let answered = try XCTUnwrap(trace.range(of: "< HTTP/1.1 200 OK"), trace)
        XCTAssertLessThan(continued.lowerBound, answered.lowerBound)
        XCTAssertTrue(trace.contains("\"bodySize\":5000"), trace)
    }

    /// Issue 16 item 8: a body sent a byte at a time used to be held as long as each byte came within
    /// the body timeout. Now each window of HTTP_BODY_TIMEOUT_S must bring HTTP_BODY_MIN_RATE bytes a
    /// second: the trickle is cut, an upload at a real rate crossing several windows is not.
    func testATrickledBodyIsCutWhileAnUploadAtARealRateIsNot() throws {
        let port = try start(["HTTP_BODY_TIMEOUT_S": "1", "HTTP_BODY_MIN_RATE": "100", "HTTP_HEADER_TIMEOUT_S": "30"])
        let trickle = try BlockingClient(port: port, timeout: 15)
        try trickle.send("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1000\r\n\r\n")
        var cut = false
        for _ in 0..<40 where !cut {  // a byte every 250 ms: never a second without one, 4 bytes a second
            do {
                try trickle.send("x")
            } catch {
                cut = true
            }
            usleep(250_000)
            var pending = pollfd(fd: trickle.fd, events: Int16(POLLIN), revents: 0)
            if poll(&pending, 1, 0) > 0 { cut = true }
        }
        let (reply, _) = try readUntilClosed(trickle)
        XCTAssertTrue(reply.hasPrefix("HTTP/1.1 408 Request Timeout"), "the trickle is cut: \(reply)")

        let upload = try BlockingClient(port: port, timeout: 15)
        let size = 4 * 1024 * 1024
        try upload.send("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: \(size)\r\n\r\n")
        let piece = [UInt8](repeating: 0x61, count: 64 * 1024)
        for _ in 0..<(size / piece.count) {  // about 1.3 MB/s over about 3 s: several windows
            try upload.send(piece)
            usleep(50_000)
        }
        XCTAssertTrue(try upload.receive(untilSuffix: "Hello, World!").hasPrefix("HTTP/1.1 200 OK"))
    }

    /// Issue 16 item 3: on a TLS port, silent TCP connects, partial ClientHellos and a finished
    /// handshake that sends nothing were all held indefinitely. Now the TLS handshake has a deadline
    /// (TLS_HANDSHAKE_TIMEOUT_S) and the first request one (HTTP_HEADER_TIMEOUT_S) from the handshake.
    func testATlsPortClosesSilentConnectsPartialHellosAndSilentSessions() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let certificate = directory.appendingPathComponent("cert.pem").path
        let key = directory.appendingPathComponent("key.pem").path
        let (made, log) = try HttpExampleServer.run(
            "openssl",
            [
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", certificate, "-days", "1",
                "-subj", "/CN=localhost",
            ])
        XCTAssertEqual(made, 0, log)
        let port = try start([
            "TLS_CERT": certificate, "TLS_KEY": key, "TLS_HANDSHAKE_TIMEOUT_S": "1", "HTTP_HEADER_TIMEOUT_S": "1",
        ])
        var clients: [BlockingClient] = []
        for index in 0..<20 {
            let client = try BlockingClient(port: port, timeout: 10)
            // Half say nothing; half start a ClientHello (a record header and a few bytes) and stop.
            if index % 2 == 1 { try client.send([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03]) }
            clients.append(client)
        }
        for (index, client) in clients.enumerated() {
            let (rest, _) = try readUntilClosed(client)  // throws if the server keeps it past 10 s
            XCTAssertEqual(rest, "", "connection \(index) closed without a reply")
            client.close()
        }
        let script = """
            import ssl, socket
            ctx = ssl.create_default_context()
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
            s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", \(port))), server_hostname="localhost")
            s.settimeout(10)
            print("handshake", s.version())
            try:
                print("then", repr(s.recv(100)))
            except Exception as e:
                print("then", type(e).__name__)
            """
        let (status, output) = try HttpExampleServer.run("python3", ["-c", script], timeout: 30)
        XCTAssertEqual(status, 0, output)
        XCTAssertTrue(output.hasPrefix("handshake TLSv1."), output)
        XCTAssertTrue(
            output.contains("then b''") || output.contains("then SSLEOFError"), "closed, not timed out: \(output)")
    }
}
