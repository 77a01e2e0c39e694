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
}
