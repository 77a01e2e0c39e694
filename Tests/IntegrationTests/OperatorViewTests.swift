import Foundation
import Glibc
import WorkermanTestSupport
import XCTest

/// What an operator sees of a running server: its output in a log file, `status`, a bad port.
final class OperatorViewTests: XCTestCase {
    private var runtimeDirectory = ""
    private var servers: [ServerProcess] = []

    override func setUpWithError() throws {
        runtimeDirectory = NSTemporaryDirectory() + "workerman-ov-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: runtimeDirectory, withIntermediateDirectories: true)
    }

    override func tearDown() {
        for server in servers {
            for pid in ProcessTable.children(of: server.process.processIdentifier) { kill(pid, SIGKILL) }
            server.stop()
        }
        try? FileManager.default.removeItem(atPath: runtimeDirectory)
        super.tearDown()
    }

    private var environment: [String: String] { ["WORKERMAN_RUNTIME_DIR": runtimeDirectory, "PORT": "0"] }

    private func startProbe(_ extra: [String: String]) throws -> (ServerProcess, Int) {
        let server = try ServerProcess("probe-server", environment: environment.merging(extra) { $1 })
        servers.append(server)
        guard let port = server.port(of: "text") else { throw BlockingClient.Failure("no port in:\n\(server.log)") }
        return (server, port)
    }

    private func ask(_ port: Int, _ question: String) throws -> String {
        let client = try BlockingClient(port: port, timeout: 5)
        defer { client.close() }
        try client.send(question + "\n")
        return try client.receive(untilSuffix: "\n").trimmingCharacters(in: .newlines)
    }

    /// Issue 15.4: with standard output a file (as under systemd, Docker or `> log`), a worker's
    /// `print` appears while the server runs, not when it stops.
    func testPrintInAWorkerReachesALogFileWhileTheServerRuns() throws {
        let (server, port) = try startProbe(["COUNT": "1"])
        XCTAssertTrue(server.waitFor("started id=0"), server.log)
        XCTAssertEqual(try ask(port, "print"), "ok")
        XCTAssertTrue(server.waitFor("printed by pid=", timeout: 10), "print stayed in a buffer:\n\(server.log)")
        XCTAssertTrue(server.process.isRunning)
    }

    /// Issue 15.8, 15.10, 15.11: `status` counts the datagrams a raw udp:// Worker answered, shows
    /// each process's own memory with the shared pages apart, and opens with a line that does not
    /// read as if it started something.
    func testStatusCountsDatagramsAndShowsPrivateMemoryWithTheSharedPartApart() throws {
        let (server, _) = try startProbe(["COUNT": "1", "UDP_PORT": "0"])
        XCTAssertTrue(server.waitFor("started id=0"), server.log)
        guard let udpPort = server.port(of: "udp") else { return XCTFail("no udp port in:\n\(server.log)") }
        let client = DatagramClient(port: udpPort)
        for index in 0..<4 {
            client.send("datagram \(index)")
            XCTAssertEqual(try client.receive(), "datagram \(index)")
        }

        let status = try ServerProcess.run("probe-server", ["status"], environment: environment)
        XCTAssertEqual(status.status, 0, status.output)
        let lines = status.output.split(separator: "\n").map(String.init)
        XCTAssertTrue(lines.first?.hasPrefix("Running in DEBUG mode, master pid ") == true, status.output)
        XCTAssertFalse(status.output.contains("Start worker"), status.output)
        XCTAssertTrue(lines.contains { $0.hasPrefix("pid\tmemory  shared  listening") }, status.output)
        guard let udpRow = lines.first(where: { $0.contains("udp://127.0.0.1:\(udpPort)") && $0.hasSuffix("[idle]") })
        else { return XCTFail("no row for the udp Worker:\n\(status.output)") }
        let fields = udpRow.split(separator: " ", omittingEmptySubsequences: true).flatMap {
            $0.split(separator: "\t")
        }
        // pid, memory, shared, listening, name, connections, send_fail, timers, total_request, qps, [idle]
        XCTAssertEqual(fields.count, 11, udpRow)
        XCTAssertEqual(fields[4], "probe-udp", udpRow)
        XCTAssertEqual(fields[8], "4", "total_request of the udp worker: \(udpRow)")
        let privateMegabytes = Double(fields[1].dropLast()) ?? 0
        let sharedMegabytes = Double(fields[2].dropLast()) ?? 0
        XCTAssertGreaterThan(privateMegabytes, 0, udpRow)
        // An idle worker's VmRSS is mostly the Swift runtime's shared pages: its own part is smaller.
        XCTAssertGreaterThan(sharedMegabytes, privateMegabytes, udpRow)
        let rss = try residentMegabytes(pid: pid_t(fields[0]) ?? 0)
        XCTAssertEqual(privateMegabytes + sharedMegabytes, rss, accuracy: max(1, rss * 0.2), udpRow)
    }

    /// Issue 15.11: a port that is not a number says so (it used to say "out of range").
    func testAPortThatIsNotANumberFailsStartSayingSo() throws {
        let result = try ServerProcess.run(
            "http-server", ["start"], environment: ["WORKERMAN_RUNTIME_DIR": runtimeDirectory, "HTTP_PORT": "abc"])
        XCTAssertEqual(result.status, 1, result.output)
        XCTAssertTrue(result.output.contains("port 'abc' is not a number"), result.output)
        XCTAssertFalse(result.output.contains("out of range"), result.output)
    }

    /// VmRSS of `pid` in MiB.
    private func residentMegabytes(pid: pid_t) throws -> Double {
        let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
            let kilobytes = Double(line.split(separator: " ").dropFirst().first ?? "")
        else { throw BlockingClient.Failure("no VmRSS for \(pid)") }
        return kilobytes / 1024
    }
}
