import Foundation
import Workerman
import WorkermanTLS
import WorkermanTestSupport
import XCTest

/// The ssl transport, tested against Python's ssl module (an independent TLS peer) and our client.
final class TLSTests: ServerTestCase {
    nonisolated(unsafe) private static var certificates: (certificate: String, key: String)?  // the test thread only

    /// A self-signed certificate for 127.0.0.1 and localhost, made with the openssl command line.
    private func certificate() throws -> (certificate: String, key: String) {
        if let made = Self.certificates { return made }
        let directory = NSTemporaryDirectory() + "workerman-tls-\(getpid())"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let made = (directory + "/cert.pem", directory + "/key.pem")
        let result = try ServerProcess.run(
            "/usr/bin/openssl",
            [
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost",
                "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout", made.1, "-out", made.0,
            ])
        guard result.status == 0 else { throw BlockingClient.Failure("openssl failed: \(result.output)") }
        Self.certificates = made
        return made
    }

    /// Removes the certificate made for this class's tests.
    override class func tearDown() {
        if let made = certificates {
            try? FileManager.default.removeItem(atPath: (made.certificate as NSString).deletingLastPathComponent)
            certificates = nil
        }
        super.tearDown()
    }

    private static func python(_ script: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        try ServerProcess.run("/usr/bin/env", ["python3", "-c", script] + arguments, timeout: 20)
    }

    func testTextEchoOverTLSWithPythonsSSLClient() throws {
        let (certificate, key) = try certificate()
        let worker = try startWorker("text://127.0.0.1:0") { worker in
            worker.tls = TLSServerContext(certificateChain: certificate, privateKey: key)
            worker.onMessage = { connection, data in connection.send("secure \(data)") }
        }
        let port = worker.port
        let script = """
            import socket, ssl, sys
            context = ssl.create_default_context(cafile=sys.argv[2])
            with socket.create_connection(("127.0.0.1", int(sys.argv[1]))) as raw:
                with context.wrap_socket(raw, server_hostname="localhost") as tls:
                    tls.sendall(b"hello\\nworld\\n")
                    data = b""
                    while data.count(b"\\n") < 2:
                        data += tls.recv(100)
                    print(data.decode(), end="")
                    print(tls.version())
            """
        let result = Shared<(Int32, String)>((-1, ""))
        XCTAssertTrue(try runWithClient { result.value = try Self.python(script, ["\(port)", certificate]) })
        XCTAssertEqual(result.value.0, 0, result.value.1)
        XCTAssertTrue(result.value.1.hasPrefix("secure hello\nsecure world\nTLSv1."), result.value.1)
    }

    func testTheClientsConnectTimerEndsWithTheHandshake() throws {
        let (certificate, key) = try certificate()
        let worker = try startWorker("frame://127.0.0.1:0") { worker in
            worker.tls = TLSServerContext(certificateChain: certificate, privateKey: key)
            worker.tlsHandshakeTimeout = 0  // no deadline sweep on the server side: only the client's timer counts
        }
        let timersBefore = WorkerTimer.count
        var connected = false
        let client = try AsyncTcpConnection("frame://127.0.0.1:\(worker.port)")
        client.transport = "ssl"
        client.tls = TLSClientContext(caFile: certificate)
        client.onConnect = { _ in connected = true }
        client.connect()
        XCTAssertEqual(WorkerTimer.count, timersBefore + 1)  // its connectTimeout
        XCTAssertTrue(spinLoop(timeout: 5) { connected })
        XCTAssertEqual(WorkerTimer.count, timersBefore)
        client.close()
    }

    func testOurClientVerifiesOurServerAndRefusesAnUntrustedOne() throws {
        let (certificate, key) = try certificate()
        let worker = try startWorker("frame://127.0.0.1:0") { worker in
            worker.tls = TLSServerContext(certificateChain: certificate, privateKey: key)
            worker.onMessage = { connection, data in connection.send(data) }
        }
        var replies: [String] = []
        let trusted = try AsyncTcpConnection("frame://127.0.0.1:\(worker.port)")
        trusted.transport = "ssl"
        trusted.tls = TLSClientContext(caFile: certificate)
        trusted.onConnect = { _ in replies.append("connected") }
        trusted.onMessage = { _, data in replies.append(data.string) }
        XCTAssertEqual(trusted.send("queued before the handshake"), .queued)
        trusted.connect()
        XCTAssertTrue(spinLoop(timeout: 5) { replies.count == 2 })
        XCTAssertEqual(replies, ["connected", "queued before the handshake"])
        trusted.close()

        var events: [String] = []
        let untrusting = try AsyncTcpConnection("frame://127.0.0.1:\(worker.port)")
        untrusting.transport = "ssl"  // the default context trusts only the system's CAs
        untrusting.onConnect = { _ in events.append("connect") }
        untrusting.onError = { _, code, message in events.append("error \(code.rawValue) \(message)") }
        untrusting.onClose = { _ in events.append("close") }
        untrusting.connect()
        XCTAssertTrue(spinLoop(timeout: 5) { events.contains("close") })
        XCTAssertEqual(events.count, 2, "\(events)")
        XCTAssertTrue(events[0].hasPrefix("error 1 ") && events[0].contains("certificate verify failed"), events[0])
    }

    func testPlainTextOnATLSPortClosesThatConnectionOnly() throws {
        let (certificate, key) = try certificate()
        var connects = 0
        var closes = 0
        let worker = try startWorker("text://127.0.0.1:0") { worker in
            worker.tls = TLSServerContext(certificateChain: certificate, privateKey: key)
            worker.onConnect = { _ in connects += 1 }
            worker.onClose = { _ in closes += 1 }
            worker.onMessage = { connection, data in connection.send(data) }
        }
        let port = worker.port
        XCTAssertTrue(
            try runWithClient {
                let plain = try BlockingClient(port: port)
                try plain.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
                _ = try plain.receiveUntilClosed()
            })
        XCTAssertEqual(connects, 0, "a connection that never completed its handshake is not announced")
        XCTAssertEqual(closes, 0)
        XCTAssertTrue(worker.connections.isEmpty)
    }

    func testSendBufferRulesHoldOverTLS() throws {
        let (certificate, key) = try certificate()
        var results: [SendResult] = []
        var events: [String] = []
        let big = [UInt8](repeating: 0x61, count: 8 * 1024 * 1024)
        let worker = try startWorker("tcp://127.0.0.1:0") { worker in
            worker.tls = TLSServerContext(certificateChain: certificate, privateKey: key)
            worker.onConnect = { connection in
                results.append(connection.send("small"))
                results.append(connection.send(big))
                results.append(connection.send("dropped"))
            }
            worker.onBufferFull = { _ in events.append("full") }
            worker.onBufferDrain = { connection in
                events.append("drain")
                connection.close()
            }
        }
        let port = worker.port
        let script = """
            import socket, ssl, sys, time
            context = ssl.create_default_context(cafile=sys.argv[2])
            with socket.create_connection(("127.0.0.1", int(sys.argv[1]))) as raw:
                raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
                with context.wrap_socket(raw, server_hostname="localhost") as tls:
                    time.sleep(0.3)
                    total = 0
                    while True:
                        chunk = tls.recv(65536)
                        if not chunk:
                            break
                        total += len(chunk)
                    print(total)
            """
        let result = Shared<(Int32, String)>((-1, ""))
        XCTAssertTrue(try runWithClient { result.value = try Self.python(script, ["\(port)", certificate]) })
        XCTAssertEqual(result.value.0, 0, result.value.1)
        XCTAssertEqual(result.value.1.trimmingCharacters(in: .whitespacesAndNewlines), String(big.count + 5))
        XCTAssertEqual(results, [.written, .queued, .failed])
        XCTAssertEqual(events, ["full", "drain"])
    }

    func testAKeyThatDoesNotMatchTheCertificateIsAOneLineError() throws {
        let (certificate, _) = try certificate()
        let otherKey = NSTemporaryDirectory() + "workerman-other-key-\(getpid()).pem"
        defer { try? FileManager.default.removeItem(atPath: otherKey) }
        let made = try ServerProcess.run("/usr/bin/openssl", ["genrsa", "-out", otherKey, "2048"])
        XCTAssertEqual(made.status, 0, made.output)
        let worker = Worker("text://127.0.0.1:0")
        worker.tls = TLSServerContext(certificateChain: certificate, privateKey: otherKey)
        XCTAssertThrowsError(try worker.listen()) { error in
            XCTAssertTrue("\(error)".contains("mismatch") || "\(error)".contains("does not match"), "\(error)")
        }
    }

    func testABadCertificatePathIsAOneLineError() throws {
        let worker = Worker("text://127.0.0.1:0")
        worker.tls = TLSServerContext(certificateChain: "/nonexistent/cert.pem", privateKey: "/nonexistent/key.pem")
        XCTAssertThrowsError(try worker.listen()) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("cannot load the certificate chain /nonexistent/cert.pem"), text)
            XCTAssertFalse(text.contains("\n"))
        }
    }
}
