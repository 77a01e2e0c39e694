import Foundation
import Glibc
import WorkermanTestSupport
import XCTest

/// The `text-echo` example started as a real process on ephemeral ports, driven by real clients.
final class TextEchoProcessTests: XCTestCase {
    private var server: ServerProcess?

    override func tearDown() {
        server?.stop()
        server = nil
        super.tearDown()
    }

    private func startTextEcho() throws -> (text: Int, json: Int) {
        let server = try ServerProcess("text-echo", environment: ["PORT": "0", "JSONNL_PORT": "0"])
        self.server = server
        guard let text = server.port(of: "text"), let json = server.port(of: "jsonnl") else {
            XCTFail("no ports in the banner:\n\(server.log)")
            throw BlockingClient.Failure("server did not start")
        }
        return (text, json)
    }

    func testEchoAndTheJsonNLCustomProtocol() throws {
        let (textPort, jsonPort) = try startTextEcho()
        let client = try BlockingClient(port: textPort)
        try client.send("hello\r\n")
        XCTAssertEqual(try client.receive(untilSuffix: "\n"), "hello\n")
        let json = try BlockingClient(port: jsonPort)
        try json.send("{\"to\":\"you\",\"n\":[1,2]}\n")
        let reply = try json.receive(untilSuffix: "\n")
        XCTAssertEqual(reply, "{\"data\":{\"n\":[1,2],\"to\":\"you\"},\"type\":\"echo\"}\n")
        try json.send("not json\n")
        XCTAssertEqual(try json.receiveUntilClosed().bytes, 0, "a malformed packet closes that connection")
        XCTAssertTrue(server!.waitFor("cannot decode packet"), server!.log)
        try client.send("still alive\n")
        XCTAssertEqual(try client.receive(untilSuffix: "\n"), "still alive\n", "the worker survived")
    }

    func testTenThousandConcurrentConnectionsEachEcho() throws {
        var limit = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        limit.rlim_cur = limit.rlim_max
        setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        if limit.rlim_cur < 10_200 { throw XCTSkip("the hard open-file limit (\(limit.rlim_max)) is below 10,200") }

        let (port, _) = try startTextEcho()
        let started = Date()
        var clients: [BlockingClient] = []
        clients.reserveCapacity(10_000)
        for _ in 0..<10_000 { clients.append(try BlockingClient(port: port, timeout: 20)) }
        for (index, client) in clients.enumerated() { try client.send("ping \(index)\n") }
        for (index, client) in clients.enumerated() {
            XCTAssertEqual(try client.receive(untilSuffix: "\n"), "ping \(index)\n")
        }
        let workers = ProcessTable.children(of: server!.process.processIdentifier)
        let held = workers.map(ProcessTable.descriptorCount).max() ?? 0
        XCTAssertGreaterThanOrEqual(held, 10_000, "one worker process holds every connection at once")
        for client in clients { client.close() }
        XCTAssertLessThan(Date().timeIntervalSince(started), 60)
    }

    func testABusyPortFailsStartWithOneLineAndExitCode1() throws {
        let busy = try BlockingListener()
        let server = try ServerProcess("text-echo", environment: ["PORT": "\(busy.port)", "JSONNL_PORT": "0"])
        self.server = server
        XCTAssertEqual(server.waitForExit(timeout: 10), 1)
        let lines = server.log.split(separator: "\n")
        XCTAssertEqual(lines.count, 1, server.log)
        XCTAssertTrue(server.log.contains("Address already in use"), server.log)
    }

    func testSigintStopsTheServer() throws {
        let (port, _) = try startTextEcho()
        let client = try BlockingClient(port: port)
        try client.send("x\n")
        _ = try client.receive(untilSuffix: "\n")
        server!.signal(SIGINT)
        XCTAssertEqual(server!.waitForExit(timeout: 5), 0)
        XCTAssertEqual(try client.receiveUntilClosed().bytes, 0, "open connections are closed")
    }
}
