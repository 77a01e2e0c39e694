import Foundation
import Glibc
import WorkermanTestSupport
import XCTest

/// The counter example: 4 HTTP processes counting in one GlobalData counter.
final class CounterExampleTests: XCTestCase {
    func testEveryProcessCountsInTheSameCounter() throws {
        let runtime = NSTemporaryDirectory() + "workerman-counter-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: runtime, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: runtime) }
        let server = try ServerProcess(
            "counter", environment: ["HTTP_PORT": "0", "GLOBALDATA_PORT": "0", "WORKERMAN_RUNTIME_DIR": runtime])
        defer {
            server.signal(SIGINT)
            _ = server.waitForExit(timeout: 5)
            server.stop()
        }
        guard let port = server.port(of: "http") else { return XCTFail(server.log) }
        var counts: [Int] = []
        var processes = Set<String>()
        for _ in 0..<60 {
            // A new connection each time, so that the requests spread over the processes.
            let client = try BlockingClient(port: port)
            try client.send("GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
            let response = try client.receiveAll()
            client.close()
            guard let line = response.split(separator: "\r\n").last, line.hasPrefix("process ") else {
                return XCTFail("unexpected response: \(response)")
            }
            let words = line.split(separator: " ")
            processes.insert(String(words[1]))
            counts.append(Int(words.last!.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1)
        }
        XCTAssertEqual(counts, Array(1...60), "one shared counter, incremented once per request")
        // Which process accepts is the kernel's choice (EPOLLEXCLUSIVE wakes one idle process), so
        // sequential requests may all land on one; the five processes are there either way.
        XCTAssertFalse(processes.isEmpty)
        XCTAssertEqual(ProcessTable.children(of: server.process.processIdentifier).count, 5, "4 HTTP + 1 GlobalData")
    }

    private func startCounter(_ environment: [String: String]) throws -> (ServerProcess, Int, () -> Void) {
        let runtime = NSTemporaryDirectory() + "workerman-counter-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: runtime, withIntermediateDirectories: true)
        let server = try ServerProcess(
            "counter", environment: environment.merging(["HTTP_PORT": "0", "WORKERMAN_RUNTIME_DIR": runtime]) { $1 })
        let cleanup = {
            server.signal(SIGINT)
            _ = server.waitForExit(timeout: 5)
            server.stop()
            try? FileManager.default.removeItem(atPath: runtime)
        }
        guard let port = server.port(of: "http") else {
            cleanup()
            throw BlockingClient.Failure("counter did not start: \(server.log)")
        }
        return (server, port, cleanup)
    }

    /// One request; the answer's last line ("process N counted request C" or the 503 body).
    private func ask(_ port: Int) throws -> String {
        let client = try BlockingClient(port: port, timeout: 20)
        defer { client.close() }
        try client.send("GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        let response = try client.receiveAll()
        return String(response.split(separator: "\r\n").last ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Asks until an answer counts (at most `timeout` s); returns the count.
    private func nextCount(_ port: Int, timeout: Double = 20) throws -> Int? {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let line = try ask(port)
            XCTAssertFalse(line.hasSuffix("null"), "never 'counted request null': \(line)")
            if line.hasPrefix("process "), let count = Int(line.split(separator: " ").last ?? "") { return count }
            usleep(100_000)
        }
        return nil
    }

    func testCountingGoesOnAfterTheGlobalDataServerRestartsAndAFrozenOneTimesOut() throws {
        let (server, port, cleanup) = try startCounter(["GLOBALDATA_PORT": "0"])
        defer { cleanup() }
        for expected in 1...5 { XCTAssertEqual(try nextCount(port), expected) }
        let before = Set(ProcessTable.children(of: server.process.processIdentifier))
        guard let globalData = before.first(where: { ProcessTable.title($0).contains("GlobalDataServer") }) else {
            return XCTFail("no GlobalData process among \(before.map(ProcessTable.title))")
        }

        kill(globalData, SIGSTOP)
        let frozen = try ask(port)
        kill(globalData, SIGCONT)
        XCTAssertTrue(
            frozen.contains("no reply within"), "a frozen GlobalData server answers 503 after the timeout: \(frozen)")

        kill(globalData, SIGKILL)
        guard let count = try nextCount(port) else { return XCTFail("no count after the restart: \(server.log)") }
        XCTAssertLessThanOrEqual(count, 2, "the restarted server starts again from a missing key (0)")
        XCTAssertEqual(try nextCount(port), count + 1)
    }

    func testCountingInRedisGoesOnAfterRedisRestarts() throws {
        try RedisServer.require()
        let redis = try RedisServer(arguments: ["--appendonly", "yes", "--appendfsync", "always"])
        defer { redis.stop() }
        let (server, port, cleanup) = try startCounter(["GLOBALDATA_URL": redis.url])
        defer { cleanup() }
        for expected in 1...10 { XCTAssertEqual(try nextCount(port), expected) }
        XCTAssertEqual(try redis.cli("GET", "hits"), "10", "stored as a Redis integer")
        XCTAssertEqual(ProcessTable.children(of: server.process.processIdentifier).count, 4, "no GlobalData server")
        redis.kill()
        XCTAssertTrue(try ask(port).contains("GlobalData"), "503 while Redis is down")
        try redis.start()
        XCTAssertEqual(try nextCount(port), 11, "the count survived in Redis's append-only file")
        try redis.cli("INCRBY", "hits", "100")
        XCTAssertEqual(try nextCount(port), 112, "redis-cli INCRBY and the counter share one integer")
    }
}
