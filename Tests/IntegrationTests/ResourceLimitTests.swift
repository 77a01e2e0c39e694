import Foundation
import Glibc
import WorkermanTestSupport
import XCTest

/// What an unauthenticated client can take from a worker process is bounded: connections, and
/// bytes of partial packets across connections.
final class ResourceLimitTests: XCTestCase {
    private var server: ExampleServer?

    override func tearDown() {
        if let server {
            let workers = server.workerPIDs
            server.stop()
            for pid in workers { kill(pid, SIGKILL) }
        }
        server = nil
        super.tearDown()
    }

    private func probe(_ environment: [String: String]) throws -> Int {
        let server = try ExampleServer(
            "probe-server", environment: ["PORT": "0", "COUNT": "1"].merging(environment) { $1 })
        self.server = server
        return try server.port("text")
    }

    private func ask(_ port: Int, _ line: String) throws -> String {
        let client = try BlockingClient(port: port, timeout: 10)
        defer { client.close() }
        try client.send(line + "\n")
        return try client.receive(untilSuffix: "\n")
    }

    /// The worker's peak resident memory in KiB (VmHWM).
    private func peakKilobytes(_ pid: pid_t) -> Int {
        let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") } ?? ""
        return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
    }

    func testFortyConnectionsSendingNineMebibyteLinesLeaveTheWorkerBounded() throws {
        let port = try probe(["MAX_BUFFERED": "\(64 * 1024 * 1024)"])
        XCTAssertTrue(server!.eventually { !self.server!.workerPIDs.isEmpty })
        guard let worker = server?.workerPIDs.first else { return XCTFail("no worker") }
        let line = [UInt8](repeating: 0x61, count: 9 * 1024 * 1024)  // no newline: never a whole packet
        let done = Shared(0)
        let senders = (0..<40).map { _ in
            Background {
                let client = try BlockingClient(port: port, timeout: 20)
                defer { client.close() }
                try? client.send(line)  // the server may close it on the way: that is the point
                done.modify { $0 += 1 }
                _ = spinLoop(timeout: 30) { done.value == 40 }  // all 40 lines held at once,
                usleep(1_000_000)  // and read by the server out of the kernel's buffers
            }
        }
        XCTAssertTrue(spinLoop(timeout: 60) { senders.allSatisfy(\.isFinished) })
        let peak = peakKilobytes(worker)
        print("measured: 40 x 9 MiB partial lines: worker peak RSS \(peak / 1024) MiB")
        XCTAssertLessThan(peak, 150 * 1024, "the worker stayed near its 64 MiB cap (360 MiB were sent)")
        XCTAssertTrue(server!.log.contains("over its maxBufferedBytes"), server!.log)
        XCTAssertEqual(try ask(port, "ping"), "ping\n", "the worker still serves")
    }

    func testAConnectionOverMaxConnectionsIsClosedAtOnceAndLogged() throws {
        let port = try probe(["MAX_CONNECTIONS": "3"])
        var held: [BlockingClient] = []
        for index in 0..<3 {
            let client = try BlockingClient(port: port, timeout: 10)
            try client.send("hello \(index)\n")
            XCTAssertEqual(try client.receive(untilSuffix: "\n"), "hello \(index)\n")
            held.append(client)
        }
        let refused = try BlockingClient(port: port, timeout: 10)
        try? refused.send("anyone?\n")
        XCTAssertEqual(try refused.receiveUntilClosed().bytes, 0, "closed without an answer")
        refused.close()
        XCTAssertTrue(server!.eventually { self.server!.log.contains("(maxConnections): refused") }, server!.log)
        held.removeFirst().close()
        XCTAssertTrue(spinLoop(timeout: 10) { (try? self.ask(port, "ping")) == "ping\n" }, "served again below the cap")
        for client in held { client.close() }
    }

    /// The worker's resident memory in KiB (VmRSS).
    private func residentKilobytes(_ pid: pid_t) -> Int {
        let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
        return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
    }

    func testASixteenMebibyteWebSocketMessageDoesNotLeaveTheWorkerLarge() throws {
        let server = try ExampleServer("ws-echo", environment: ["WS_PORT": "0"])
        self.server = server
        let port = try server.port("websocket")
        XCTAssertTrue(server.eventually { !server.workerPIDs.isEmpty })
        guard let worker = server.workerPIDs.first else { return XCTFail("no worker") }
        let client = try BlockingClient(port: port, timeout: 60)
        defer { client.close() }
        try client.send(
            "GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
        XCTAssertTrue(try client.receive(untilSuffix: "\r\n\r\n").hasPrefix("HTTP/1.1 101"))
        let idle = residentKilobytes(worker)
        let size = 16 * 1024 * 1024
        // One binary frame, masked with the key 0 (so the payload goes as it is).
        var frame: [UInt8] = [0x82, 0x80 | 127]
        for shift in stride(from: 56, through: 0, by: -8) { frame.append(UInt8(truncatingIfNeeded: size >> shift)) }
        frame += [0, 0, 0, 0]
        try client.send(frame + [UInt8](repeating: 0x61, count: size))
        XCTAssertEqual(
            try client.receive(count: 10 + size).count, 10 + size, "echoed: peak \(peakKilobytes(worker)) \(server.log)"
        )
        let settled = spinLoop(timeout: 10) { self.residentKilobytes(worker) < 2 * idle }
        print("measured: 16 MiB websocket message: worker RSS \(idle) KiB idle, \(residentKilobytes(worker)) KiB after")
        XCTAssertTrue(settled, "RSS \(residentKilobytes(worker)) KiB after, \(idle) KiB idle")
    }
}
