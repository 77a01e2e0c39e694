import Foundation
import Glibc
import WorkermanTestSupport
import XCTest

/// A test case that starts channel-probe programs (each in a runtime directory of its own, so their
/// pid files do not collide) and kills every process it started, by pid, when the test ends.
class ProbeTestCase: XCTestCase {
    private var started: [(server: ServerProcess, directory: String)] = []

    /// Starts channel-probe as `role` with extra environment; waits for its banner.
    func startProbe(_ role: String, _ environment: [String: String] = [:]) throws -> ServerProcess {
        let directory = NSTemporaryDirectory() + "workerman-channel-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let server = try ServerProcess(
            "channel-probe",
            environment: environment.merging(["ROLE": role, "WORKERMAN_RUNTIME_DIR": directory]) { $1 })
        started.append((server, directory))
        guard server.waitFor("Start success") else {
            throw BlockingClient.Failure("\(role) did not start:\n\(server.log)")
        }
        return server
    }

    /// The port in `server`'s banner for `scheme`.
    func port(_ server: ServerProcess, _ scheme: String) throws -> Int {
        guard let port = server.port(of: scheme) else {
            throw BlockingClient.Failure("no \(scheme) port:\n\(server.log)")
        }
        return port
    }

    /// The worker processes of `server`'s master.
    func workerPIDs(_ server: ServerProcess) -> [pid_t] { ProcessTable.children(of: server.process.processIdentifier) }

    /// Kills the master and the workers of `server` at once (SIGKILL), as a crash would.
    func crash(_ server: ServerProcess) {
        for pid in workerPIDs(server) { kill(pid, SIGKILL) }
        server.stop()
    }

    /// The lines `server` printed that start with `prefix`.
    func lines(_ server: ServerProcess, _ prefix: String) -> [Substring] {
        server.log.split(separator: "\n").filter { $0.hasPrefix(prefix) }
    }

    override func tearDown() {
        for (server, directory) in started.reversed() {
            let workers = workerPIDs(server)
            server.signal(SIGINT)
            _ = server.waitForExit(timeout: 5)
            for pid in workers { kill(pid, SIGKILL) }
            server.stop()
            try? FileManager.default.removeItem(atPath: directory)
        }
        started.removeAll()
        super.tearDown()
    }
}

/// A text-protocol client that reads line by line, with every wait bounded.
final class LineClient {
    let client: BlockingClient
    private var pending: [UInt8] = []

    init(port: Int, timeout: Double = 5) throws {
        client = try BlockingClient(port: port, timeout: timeout)
        client.setNoDelay()
    }

    func send(_ line: String) throws { try client.send(line + "\n") }

    /// The next line, without its "\n"; throws after the client's timeout.
    func readLine() throws -> String {
        while true {
            if let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: pending[..<newline], as: UTF8.self)
                pending.removeFirst(newline + 1)
                return line
            }
            let chunk = try client.receiveSome()
            guard !chunk.isEmpty else { throw BlockingClient.Failure("closed by the server") }
            pending += chunk
        }
    }

    /// Asks and returns the answer line.
    func ask(_ line: String) throws -> String {
        try send(line)
        return try readLine()
    }

    /// The lines that arrive within `seconds` (none expected in a silence check), or fewer when
    /// `enough` says the lines so far suffice.
    func linesArriving(within seconds: Double, enough: ([String]) -> Bool = { _ in false }) throws -> [String] {
        var lines: [String] = []
        let deadline = Date().addingTimeInterval(seconds)
        while !enough(lines) {
            if pending.contains(UInt8(ascii: "\n")) {
                lines.append(try readLine())
                continue
            }
            let left = deadline.timeIntervalSinceNow
            guard left > 0 else { return lines }
            var waiting = pollfd(fd: client.fd, events: Int16(POLLIN), revents: 0)
            guard poll(&waiting, 1, Int32(left * 1000) + 1) > 0 else { return lines }
            let chunk = try client.receiveSome()
            if chunk.isEmpty { return lines }
            pending += chunk
        }
        return lines
    }

    func close() { client.close() }
}

/// Polls `condition` every 10 ms for at most `timeout` seconds.
func eventually(timeout: Double = 10, _ condition: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while !condition() {
        if Date() > deadline { return false }
        usleep(10_000)
    }
    return true
}

/// A JSON command line for the group workers.
func command(_ fields: [String: String]) -> String {
    String(decoding: try! JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys]), as: UTF8.self)
}
