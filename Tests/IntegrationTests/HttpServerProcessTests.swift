import Foundation
import Glibc
import WorkermanTestSupport
import XCTest

/// The `http-server` example started as a real process on an ephemeral port, driven by independent
/// clients: Python's h11 (a strict HTTP/1.1 parser), curl, and raw sockets.
final class HttpServerProcessTests: XCTestCase {
    private var server: ServerProcess?
    private var webRoot: URL!

    override func setUpWithError() throws {
        webRoot = FileManager.default.temporaryDirectory.appendingPathComponent("http-www-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: webRoot, withIntermediateDirectories: true)
        try "static hello\n".write(to: webRoot.appendingPathComponent("hello.txt"), atomically: true, encoding: .utf8)
    }

    override func tearDown() {
        server?.stop()
        server = nil
        try? FileManager.default.removeItem(at: webRoot)
        super.tearDown()
    }

    private func start() throws -> Int {
        let server = try ServerProcess("http-server", environment: ["HTTP_PORT": "0", "WEB_ROOT": webRoot.path])
        self.server = server
        guard let port = server.port(of: "http") else {
            XCTFail("no port in the banner:\n\(server.log)")
            throw BlockingClient.Failure("server did not start")
        }
        return port
    }

    /// Runs `tool` with `arguments`, bounded; its status and output.
    private func run(_ tool: String, _ arguments: [String], timeout: Double = 30) throws -> (Int32, String) {
        let result = try ServerProcess.run("/usr/bin/env", [tool] + arguments, timeout: timeout)
        return (result.status, result.output)
    }

    func testH11ParsesKeepAliveChunkedAndEchoResponses() throws {
        try OutsidePeer.requirePythonModule("h11", install: ".ci/deps/http.sh installs it")
        let port = try start()
        let script = """
            import h11, socket, json
            s = socket.create_connection(("127.0.0.1", \(port)), timeout=5)
            c = h11.Connection(h11.CLIENT)
            def ask(method, target, body=b"", headers=()):
                hs = [("Host", "localhost")] + list(headers)
                if body: hs.append(("Content-Length", str(len(body))))
                s.sendall(c.send(h11.Request(method=method, target=target, headers=hs)))
                if body: s.sendall(c.send(h11.Data(data=body)))
                s.sendall(c.send(h11.EndOfMessage()))
                status, data = None, b""
                while True:
                    e = c.next_event()
                    if e is h11.NEED_DATA:
                        c.receive_data(s.recv(65536)); continue
                    if isinstance(e, h11.Response): status = e.status_code
                    if isinstance(e, h11.Data): data += e.data
                    if isinstance(e, h11.EndOfMessage): break
                c.start_next_cycle()
                return status, data
            print(ask("GET", "/"))
            st, data = ask("POST", "/echo?x=1&x=2", b"a=%C3%A9&b=2", [("Content-Type", "application/x-www-form-urlencoded"), ("Cookie", "k=v")])
            j = json.loads(data)
            print(st, j["method"], j["query"]["x"], j["form"]["a"], j["cookies"]["k"])
            print(ask("GET", "/chunked"))
            print(ask("HEAD", "/hello.txt"))
            print(ask("GET", "/hello.txt"))
            """
        let (status, output) = try run("python3", ["-c", script])
        XCTAssertEqual(status, 0, output)
        XCTAssertEqual(
            output,
            "(200, b'Hello, World!')\n200 POST ['1', '2'] ['é'] v\n(200, b'one two three')\n(200, b'')\n"
                + "(200, b'static hello\\n')\n")
    }

    func testPipelinedRequestsAreAnsweredInOrderOnOneConnection() throws {
        let port = try start()
        let client = try BlockingClient(port: port)
        let requests = (1...3).map { "GET /echo?n=\($0) HTTP/1.1\r\nHost: h\r\n\r\n" }.joined()
        try client.send(requests + "GET / HTTP/1.1\r\nHost: h\r\n\r\n")
        let text = try client.receive(untilSuffix: "Hello, World!")
        let order = ["\"n\":[\"1\"]", "\"n\":[\"2\"]", "\"n\":[\"3\"]", "Hello, World!"].map {
            text.range(of: $0)?.lowerBound
        }
        XCTAssertFalse(order.contains(nil), text)
        XCTAssertEqual(order.compactMap { $0 }, order.compactMap { $0 }.sorted(), "in request order")
    }

    func testRefusedRequestsGetTheirStatusAndTheConnectionCloses() throws {
        let port = try start()
        let cases: [(String, String)] = [
            ("GET / HTTP/1.1\r\nHost: h\r\nX: \(String(repeating: "a", count: 17_000))\r\n\r\n", "431"),
            ("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 2000000000\r\n\r\n", "413"),  // over maxBodySize
            ("GET / HTTP/1.1\r\n\r\n", "400"),
            ("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nxyz\r\n", "400"),
            ("GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n", "400"),
        ]
        for (wire, status) in cases {
            let client = try BlockingClient(port: port)
            try client.send(wire)
            var received: [UInt8] = []
            while true {
                let chunk = try client.receiveSome()
                if chunk.isEmpty { break }
                received += chunk
            }
            let text = String(decoding: received, as: UTF8.self)
            XCTAssertTrue(text.hasPrefix("HTTP/1.1 \(status) "), "\(status): \(text)")
            XCTAssertTrue(text.contains("Connection: close\r\n"), text)
        }
        let client = try BlockingClient(port: port)
        try client.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n")
        XCTAssertTrue(
            try client.receive(untilSuffix: "Hello, World!").hasPrefix("HTTP/1.1 200 OK"), "the worker lives on")
    }

    func testCurlStaticFilesRangeAndNotModified() throws {
        let port = try start()
        let url = "http://127.0.0.1:\(port)/hello.txt"
        let (_, whole) = try run("curl", ["-s", "-i", url])
        XCTAssertTrue(whole.hasPrefix("HTTP/1.1 200 OK"), whole)
        XCTAssertTrue(whole.contains("Content-Type: text/plain;charset=utf-8"), whole)
        XCTAssertTrue(whole.hasSuffix("\r\n\r\nstatic hello\n"), whole)
        let (_, range) = try run("curl", ["-s", "-i", "-r", "7-11", url])
        XCTAssertTrue(range.hasPrefix("HTTP/1.1 206 Partial Content"), range)
        XCTAssertTrue(range.contains("Content-Range: bytes 7-11/13"), range)
        XCTAssertTrue(range.hasSuffix("\r\n\r\nhello"), range)
        let lastModified = try XCTUnwrap(
            whole.components(separatedBy: "\r\n").first { $0.hasPrefix("Last-Modified: ") }?.dropFirst(15))
        let (_, notModified) = try run("curl", ["-s", "-i", "-H", "If-Modified-Since: \(lastModified)", url])
        XCTAssertTrue(notModified.hasPrefix("HTTP/1.1 304 Not Modified"), notModified)
        let (_, escape) = try run(
            "curl",
            ["-s", "-o", "/dev/null", "-w", "%{http_code}", "http://127.0.0.1:\(port)/%2e%2e/%2e%2e/etc/passwd"])
        XCTAssertEqual(escape, "403")
        let (_, missing) = try run(
            "curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", "http://127.0.0.1:\(port)/nope"])
        XCTAssertEqual(missing, "404")
    }

    func testCurlUploadIsEchoedWithItsDigest() throws {
        let port = try start()
        let upload = webRoot.appendingPathComponent("upload.bin")
        let bytes = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        try Data(bytes).write(to: upload)
        let (_, digest) = try run("sha256sum", [upload.path])
        let reply = webRoot.appendingPathComponent("reply.json")  // a file: the reply would fill run()'s pipe
        let (status, output) = try run(
            "curl",
            ["-s", "-o", reply.path, "-F", "note=hi", "-F", "file=@\(upload.path)", "http://127.0.0.1:\(port)/echo"])
        XCTAssertEqual(status, 0, output)
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: reply)) as? [String: Any])
        let files = try XCTUnwrap(json["files"] as? [[String: Any]])
        XCTAssertEqual(files.first?["name"] as? String, "upload.bin")
        XCTAssertEqual(files.first?["size"] as? Int, 300_000)
        XCTAssertEqual(files.first?["sha256"] as? String, String(digest.prefix(64)))
        XCTAssertEqual((json["form"] as? [String: [String]])?["note"], ["hi"])
    }

    func testAOneGigabyteFileStreamsWithBoundedWorkerMemory() throws {
        let big = webRoot.appendingPathComponent("big.bin")
        let size = 1 << 30
        XCTAssertTrue(FileManager.default.createFile(atPath: big.path, contents: nil))
        XCTAssertEqual(truncate(big.path, off_t(size)), 0)  // sparse: no disk needed
        let port = try start()
        let client = try BlockingClient(port: port, timeout: 30)
        try client.send("GET /big.bin HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
        let (received, reset) = try client.receiveUntilClosed(limit: size + 4096)
        XCTAssertFalse(reset)
        XCTAssertGreaterThan(received, size)
        XCTAssertLessThan(received, size + 1024, "head plus exactly the file")
        let worker = try XCTUnwrap(ProcessTable.children(of: server!.process.processIdentifier).first)
        let status = (try? String(contentsOfFile: "/proc/\(worker)/status", encoding: .utf8)) ?? ""
        let peak = status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") }
        let kilobytes = Int(peak?.split(separator: " ").dropFirst().first ?? "") ?? .max
        XCTAssertLessThan(kilobytes, 100_000, "the worker's peak resident memory: \(peak ?? "?")")
    }
}
