import Foundation
import Glibc
import WorkermanTestSupport
import XCTest

/// Connections spread over a Worker's processes with the default listening set-up (one socket shared
/// by `count = 4` processes, no `reusePort`), and a reload under load refuses or resets none.
extension ProcessModelTests {
    /// The worker pid that answers "whoami" on `client`.
    private func whoAnswers(_ client: BlockingClient) throws -> String {
        try client.send("whoami\n")
        return String(try client.receive(untilSuffix: "\n").split(separator: " ").last ?? "")
            .trimmingCharacters(in: .newlines)
    }

    func testClientsThatConnectOneAfterAnotherLandOnAtLeastThreeOfFourProcesses() throws {
        let (server, port) = try start()
        XCTAssertTrue(spinUntil { self.startedIDs(server).count == 4 }, server.log)
        var answering: [String] = []
        for _ in 0..<8 {
            let client = try BlockingClient(port: port)
            answering.append(try whoAnswers(client))
            client.close()
        }
        print("measured: 8 clients in turn answered by \(Set(answering).count) processes")
        XCTAssertGreaterThanOrEqual(Set(answering).count, 3, "processes that answered in turn: \(answering)")
    }

    func testAHundredConcurrentConnectionsAreSpreadOverTheFourProcesses() throws {
        let (server, port) = try start()
        XCTAssertTrue(spinUntil { self.startedIDs(server).count == 4 }, server.log)
        // All connected first (a burst the processes accept together), then asked who holds them.
        let clients = try (0..<100).map { _ in try BlockingClient(port: port) }
        defer { for client in clients { client.close() } }
        var held: [String: Int] = [:]
        for client in clients { held[try whoAnswers(client), default: 0] += 1 }
        print("measured: 100 concurrent connections per process: \(held.values.sorted())")
        XCTAssertEqual(held.count, 4, "connections per process: \(held)")
        for (pid, count) in held {
            XCTAssertLessThanOrEqual(count, 40, "process \(pid) holds too many: \(held)")
            XCTAssertGreaterThanOrEqual(count, 10, "process \(pid) holds too few: \(held)")
        }
    }

    func testAReloadUnderLoadRefusesAndResetsNoConnection() throws {
        let (server, port) = try start()
        XCTAssertTrue(spinUntil { self.startedIDs(server).count == 4 }, server.log)
        let failures = Shared<[String]>([])
        let answered = Shared(0)
        let keepGoing = Shared(true)
        // Four clients, each opening a new connection per request, while every worker is replaced.
        let hammers = (0..<4).map { _ in
            Background {
                while keepGoing.value {
                    do {
                        let client = try BlockingClient(port: port, timeout: 10)
                        defer { client.close() }
                        try client.send("ping\n")
                        guard try client.receive(untilSuffix: "\n") == "ping\n" else {
                            throw BlockingClient.Failure("bad answer")
                        }
                        answered.modify { $0 += 1 }
                    } catch {
                        failures.modify { $0.append("\(error)") }
                    }
                }
            }
        }
        usleep(200_000)
        let reload = try ServerProcess.run(
            "probe-server", ["reload"], environment: ["WORKERMAN_RUNTIME_DIR": runtimeDirectory])
        XCTAssertEqual(reload.status, 0, reload.output)
        XCTAssertTrue(server.waitFor("reload finished", timeout: 30), server.log)
        usleep(200_000)
        keepGoing.value = false
        XCTAssertTrue(spinUntil { hammers.allSatisfy(\.isFinished) })
        XCTAssertEqual(failures.value, [], "connections refused or reset during the reload")
        XCTAssertGreaterThan(answered.value, 40, "the clients kept connecting throughout")
    }

    func testWhenTheOtherProcessesAreStoppedTheLastOneStillAcceptsEveryConnection() throws {
        let (server, port) = try start()
        XCTAssertTrue(spinUntil { self.startedIDs(server).count == 4 }, server.log)
        let early = try (0..<20).map { _ in try BlockingClient(port: port) }
        defer { for client in early { client.close() } }
        let holders = try Set(early.map { try whoAnswers($0) })
        XCTAssertEqual(holders.count, 4, "the early connections are spread")
        let workers = workerPIDs(master: server.process.processIdentifier)
        let stopped = Array(workers.dropFirst())
        for pid in stopped { kill(pid, SIGSTOP) }
        defer { for pid in stopped { kill(pid, SIGCONT) } }
        // The one left holds more than its share and keeps accepting: its siblings take nothing.
        for _ in 0..<12 {
            let client = try BlockingClient(port: port, timeout: 10)
            defer { client.close() }
            XCTAssertEqual(try whoAnswers(client), "\(workers[0])")
        }
    }
}
