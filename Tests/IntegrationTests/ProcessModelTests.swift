import Foundation
import Glibc
import WorkermanTestSupport
import XCTest

/// The master and its worker processes, driven through the command line like an operator would.
final class ProcessModelTests: XCTestCase {
    var runtimeDirectory = ""
    private var servers: [ServerProcess] = []

    override func setUpWithError() throws {
        runtimeDirectory = NSTemporaryDirectory() + "workerman-pm-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: runtimeDirectory, withIntermediateDirectories: true)
    }

    override func tearDown() {
        for server in servers { server.stopGracefully() }
        if let master = masterPID() { kill(master, SIGKILL) }
        killWorkers()
        try? FileManager.default.removeItem(atPath: runtimeDirectory)
        super.tearDown()
    }

    func spinUntil(_ condition: () -> Bool) -> Bool { spin(condition) }

    private var environment: [String: String] { ["WORKERMAN_RUNTIME_DIR": runtimeDirectory, "PORT": "0"] }

    private var pidFile: String { runtimeDirectory + "/workerman.probe-server.pid" }

    private func masterPID() -> pid_t? {
        (try? String(contentsOfFile: pidFile, encoding: .utf8)).flatMap {
            pid_t($0.trimmingCharacters(in: .whitespacesAndNewlines))
        }
    }

    /// The worker processes of the master `master`.
    func workerPIDs(master: pid_t) -> [pid_t] { ProcessTable.children(of: master) }

    private func killWorkers() {
        for server in servers { for pid in workerPIDs(master: server.process.processIdentifier) { kill(pid, SIGKILL) } }
    }

    func title(_ pid: pid_t) -> String { ProcessTable.title(pid) }

    func start(_ executable: String = "probe-server", extra: [String: String] = [:]) throws -> (
        ServerProcess, Int
    ) {
        let server = try ServerProcess(executable, environment: environment.merging(extra) { $1 })
        servers.append(server)
        guard let port = server.port(of: "text") else { throw BlockingClient.Failure("no port in:\n\(server.log)") }
        return (server, port)
    }

    private func command(_ arguments: [String], executable: String = "probe-server") throws -> (
        status: Int32, output: String
    ) {
        try ServerProcess.run(executable, arguments, environment: environment)
    }

    func ask(_ port: Int, _ question: String) throws -> String {
        let client = try BlockingClient(port: port, timeout: 5)
        defer { client.close() }
        try client.send(question + "\n")
        return try client.receive(untilSuffix: "\n").trimmingCharacters(in: .newlines)
    }

    func startedIDs(_ server: ServerProcess) -> [Int: pid_t] {
        var ids: [Int: pid_t] = [:]
        for line in server.log.split(separator: "\n") where line.hasPrefix("started id=") {
            let parts = line.split(separator: " ")
            if let id = Int(parts[1].dropFirst(3)), let pid = pid_t(parts[2].dropFirst(4)) { ids[id] = pid }
        }
        return ids
    }

    func testCountFourGivesFiveProcessesWithTitlesAndAKilledWorkerIsReplacedWithItsId() throws {
        let started = Date()
        let (server, port) = try start()
        XCTAssertTrue(server.waitFor("started id=3"), server.log)
        XCTAssertEqual(try ask(port, "ping"), "ping")
        print("measured: start to serving with count = 4: \(Int(Date().timeIntervalSince(started) * 1000)) ms")
        let master = server.process.processIdentifier
        XCTAssertTrue(title(master).hasPrefix("WorkerMan: master process  start_file="), title(master))
        XCTAssertTrue(spin { self.startedIDs(server).count == 4 })
        let workers = workerPIDs(master: master)
        XCTAssertEqual(workers.count, 4)
        for pid in workers { XCTAssertEqual(title(pid), "WorkerMan: worker process  probe text://127.0.0.1:\(port)") }
        XCTAssertEqual(masterPID(), master)

        let victim = startedIDs(server)[2]!
        kill(victim, SIGKILL)
        let killedAt = Date()
        XCTAssertTrue(spin(timeout: 1) { (self.startedIDs(server)[2] ?? victim) != victim }, "a new id 2 within 1 s")
        print("measured: kill -9 to replacement serving: \(Int(Date().timeIntervalSince(killedAt) * 1000)) ms")
        XCTAssertEqual(workerPIDs(master: master).count, 4)
        XCTAssertTrue(server.waitFor("killed by SIGKILL"), server.log)
    }

    func testStatusAndConnectionsReportEveryProcessAndAnOpenConnection() throws {
        let (server, port) = try start()
        XCTAssertTrue(spin { self.startedIDs(server).count == 4 })
        let held = try BlockingClient(port: port)
        try held.send("hello\n")
        _ = try held.receive(untilSuffix: "\n")

        let status = try command(["status"])
        XCTAssertEqual(status.status, 0, status.output)
        let rows = status.output.split(separator: "\n").filter {
            $0.contains("text://127.0.0.1:\(port)") && $0.hasSuffix("[idle]")
        }
        XCTAssertEqual(rows.count, 4, status.output)
        XCTAssertTrue(status.output.contains("GLOBAL STATUS"))
        XCTAssertTrue(status.output.contains("Swift/"))
        XCTAssertTrue(status.output.contains("1 workers       4 processes"), status.output)
        XCTAssertTrue(rows.allSatisfy { $0.contains(" probe ") }, status.output)
        XCTAssertTrue(status.output.contains("Summary"))

        let connections = try command(["connections"])
        XCTAssertEqual(connections.status, 0, connections.output)
        let localPort = Sys_localPort(held.fd)
        XCTAssertTrue(connections.output.contains("127.0.0.1:\(localPort)"), connections.output)
        XCTAssertTrue(connections.output.contains("ESTABLISHED"), connections.output)
        held.close()
    }

    func testStopLeavesNoProcessAndNoPidFile() throws {
        let (server, _) = try start()
        XCTAssertTrue(spin { self.startedIDs(server).count == 4 })
        let master = server.process.processIdentifier
        let workers = workerPIDs(master: master)
        let stop = try command(["stop"])
        XCTAssertEqual(stop.status, 0, stop.output)
        XCTAssertTrue(stop.output.contains("stop success"), stop.output)
        XCTAssertNotNil(server.waitForExit(timeout: 5))
        for pid in workers { XCTAssertTrue(spin(timeout: 2) { kill(pid, 0) != 0 }, "worker \(pid) gone") }
        XCTAssertFalse(FileManager.default.fileExists(atPath: pidFile))
        let again = try command(["stop"])
        XCTAssertEqual(again.status, 1)
        XCTAssertTrue(again.output.contains("not run"), again.output)
    }

    func testDaemonStartReturnsAtOnceAndASecondStartFails() throws {
        let began = Date()
        let daemon = try command(["start", "-d"])
        XCTAssertEqual(daemon.status, 0, daemon.output)
        XCTAssertLessThan(Date().timeIntervalSince(began), 5)
        XCTAssertTrue(daemon.output.contains("start in DAEMON mode"), daemon.output)
        let port =
            Int(daemon.output.components(separatedBy: "text://127.0.0.1:").last?.prefix { $0.isNumber } ?? "") ?? 0
        XCTAssertTrue(spin { (try? self.ask(port, "ping")) == "ping" }, "the daemon serves")
        guard let master = masterPID() else { return XCTFail("no pid file") }
        defer { kill(master, SIGKILL) }
        XCTAssertTrue(title(master).contains("master process"))

        let second = try command(["start"])
        XCTAssertEqual(second.status, 1)
        XCTAssertTrue(second.output.contains("already running"), second.output)
        XCTAssertEqual(second.output.split(separator: "\n").count, 1, second.output)

        let stop = try command(["stop"])
        XCTAssertEqual(stop.status, 0, stop.output)
        XCTAssertTrue(spin { kill(master, 0) != 0 })
    }

    func testAGracefulStopWaitsForAnOpenConnection() throws {
        let (server, port) = try start(extra: ["COUNT": "1", "STOP_TIMEOUT": "30"])
        XCTAssertTrue(server.waitFor("started id=0"))
        let held = try BlockingClient(port: port)
        try held.send("hello\n")
        _ = try held.receive(untilSuffix: "\n")
        let worker = startedIDs(server)[0]!
        let stopper = try ServerProcess("probe-server", arguments: ["stop", "-g"], environment: environment)
        servers.append(stopper)
        XCTAssertTrue(server.waitFor("stopped id=0"), server.log)
        usleep(500_000)
        XCTAssertEqual(kill(worker, 0), 0, "the worker stays while its connection is open")
        try held.send("still served\n")
        XCTAssertEqual(try held.receive(untilSuffix: "\n"), "still served\n")
        held.close()
        XCTAssertNotNil(server.waitForExit(timeout: 5), "the master exits once the last connection closed")
        XCTAssertEqual(stopper.waitForExit(timeout: 5), 0)
    }

    func testAWorkerWhoseStartFailsIsRestartedWithABackoffAndTheReasonLogged() throws {
        let server = try ServerProcess(
            "probe-server", environment: environment.merging(["FAIL_START": "1", "COUNT": "1"]) { $1 })
        servers.append(server)
        let began = Date()
        XCTAssertTrue(server.waitFor("restarting it in 1 s", timeout: 10), server.log)
        XCTAssertTrue(server.waitFor("restarting it in 2 s", timeout: 10), server.log)
        XCTAssertTrue(server.waitFor("3 times in a row); restarting it in 4 s", timeout: 15), server.log)
        let elapsed = Date().timeIntervalSince(began)
        let failures = server.log.components(separatedBy: "onWorkerStart failed: FAIL_START is set").count - 1
        // Tries at about 0, 1 and 3 s: a fixed 1 s delay would have made about one try per second.
        XCTAssertEqual(failures, 3, "no fast crash loop after \(elapsed) s:\n\(server.log)")
        XCTAssertTrue(server.log.contains("exit code 250"), server.log)
        let lines = server.log.split(separator: "\n")
        let reason = lines.firstIndex { $0.contains("onWorkerStart failed: FAIL_START is set") }
        let restart = lines.firstIndex { $0.contains("restarting it in 1 s") }
        XCTAssertNotNil(reason, "the reason is logged")
        XCTAssertLessThan(reason ?? .max, restart ?? .min, "before the restart line:\n\(server.log)")
    }

    func testReloadMovesEveryWorkerOntoTheRebuiltExecutableWithZeroFailedRequests() throws {
        let directory = runtimeDirectory + "/bin"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let executable = directory + "/probe-server"
        try FileManager.default.copyItem(atPath: ServerProcess.product("probe-server"), toPath: executable)
        let (server, port) = try start(executable)
        XCTAssertTrue(spin { self.startedIDs(server).count == 4 })
        XCTAssertEqual(try ask(port, "version"), "probe-build-00000000000000000000000000000000")

        // "Rebuild": the same program with another value compiled in, renamed over the old file.
        var binary = try Data(contentsOf: URL(fileURLWithPath: executable))
        let old = Data("probe-build-00000000000000000000000000000000".utf8)
        let new = Data("probe-build-11111111111111111111111111111111".utf8)
        guard let range = binary.range(of: old) else { return XCTFail("build string not found") }
        binary.replaceSubrange(range, with: new)
        try binary.write(to: URL(fileURLWithPath: executable + ".new"))
        chmod(executable + ".new", 0o755)
        rename(executable + ".new", executable)

        let failures = Shared(0)
        let answers = Shared<[String]>([])
        let keepGoing = Shared(true)
        let hammer = Background {
            while keepGoing.value {
                do {
                    let client = try BlockingClient(port: port, timeout: 5)
                    try client.send("version\n")
                    let answer = try client.receive(untilSuffix: "\n")
                    client.close()
                    answers.modify { $0.append(answer) }
                } catch {
                    failures.modify { $0 += 1 }
                }
            }
        }
        usleep(200_000)
        let reloadedAt = Date()
        let reload = try command(["reload"], executable: executable)
        XCTAssertEqual(reload.status, 0, reload.output)
        XCTAssertTrue(server.waitFor("reload finished", timeout: 20), server.log)
        print(
            "measured: reload to all 4 workers on the new binary: \(Int(Date().timeIntervalSince(reloadedAt) * 1000)) ms"
        )
        usleep(300_000)
        keepGoing.value = false
        XCTAssertTrue(spin(timeout: 10) { hammer.isFinished })
        XCTAssertEqual(failures.value, 0, "requests failed during the reload")
        XCTAssertGreaterThan(answers.value.count, 20, "the client kept sending throughout")
        XCTAssertEqual(answers.value.last, "probe-build-11111111111111111111111111111111\n")
        for _ in 0..<40 { XCTAssertEqual(try ask(port, "version"), "probe-build-11111111111111111111111111111111") }
        XCTAssertEqual(server.log.components(separatedBy: "reloading id=").count - 1, 4, "onWorkerReload ran in each")
        XCTAssertEqual(workerPIDs(master: server.process.processIdentifier).count, 4)
    }

    private func spin(timeout: Double = 10, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if condition() { return true }
            usleep(10_000)
        }
        return condition()
    }
}

/// The local port of a connected socket.
private func Sys_localPort(_ fd: Int32) -> Int {
    var address = sockaddr_in()
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
    }
    return Int(UInt16(bigEndian: address.sin_port))
}

extension ProcessModelTests {
    func testReusePortWorkersEachBindTheSamePortAndShareTheLoad() throws {
        let (server, port) = try start(extra: ["COUNT": "2", "REUSE_PORT": "1"])
        XCTAssertTrue(spinUntil { self.startedIDs(server).count == 2 }, server.log)
        var answering = Set<String>()
        for _ in 0..<60 { answering.insert(try ask(port, "whoami").split(separator: " ").last.map(String.init) ?? "") }
        XCTAssertEqual(answering.count, 2, "both processes accept on port \(port): \(answering)")
        for pid in workerPIDs(master: server.process.processIdentifier) {
            XCTAssertEqual(title(pid), "WorkerMan: worker process  probe text://127.0.0.1:\(port)")
        }
    }
}

extension ProcessModelTests {
    func testAGracefulReloadKeepsAcceptingWhileOldConnectionsStayOpen() throws {
        let (server, port) = try start(extra: ["COUNT": "2", "STOP_TIMEOUT": "30"])
        XCTAssertTrue(spinUntil { self.startedIDs(server).count == 2 })
        var held: [String: BlockingClient] = [:]
        for _ in 0..<50 where held.count < 2 {
            let client = try BlockingClient(port: port)
            try client.send("whoami\n")
            let pid = String(try client.receive(untilSuffix: "\n").split(separator: " ").last ?? "")
            if held[pid] == nil { held[pid] = client } else { client.close() }
        }
        XCTAssertEqual(held.count, 2, "a connection held to each worker")
        let reload = try ServerProcess.run(
            "probe-server", ["reload", "-g"], environment: ["WORKERMAN_RUNTIME_DIR": runtimeDirectory])
        XCTAssertEqual(reload.status, 0, reload.output)
        for _ in 0..<20 {
            XCTAssertEqual(try ask(port, "ping"), "ping", "served during the reload")
            usleep(50_000)
        }
        XCTAssertTrue(server.waitFor("reload finished", timeout: 10), server.log)
        for (pid, client) in held {
            XCTAssertEqual(
                kill(pid_t(pid.trimmingCharacters(in: .whitespacesAndNewlines))!, 0), 0,
                "old \(pid) still serves its connection")
            try client.send("still here\n")
            XCTAssertEqual(try client.receive(untilSuffix: "\n"), "still here\n")
            client.close()
        }
        XCTAssertTrue(
            spinUntil { self.workerPIDs(master: server.process.processIdentifier).count == 2 }, "old ones leave")
    }

    func testAFastStopEndsAGracefulStopInProgress() throws {
        let (server, port) = try start(extra: ["COUNT": "1", "STOP_TIMEOUT": "30"])
        XCTAssertTrue(server.waitFor("started id=0"))
        let held = try BlockingClient(port: port)
        try held.send("hello\n")
        _ = try held.receive(untilSuffix: "\n")
        let graceful = try ServerProcess(
            "probe-server", arguments: ["stop", "-g"], environment: ["WORKERMAN_RUNTIME_DIR": runtimeDirectory])
        defer { graceful.stop() }
        XCTAssertTrue(server.waitFor("stopped id=0"), server.log)
        let fast = try ServerProcess.run(
            "probe-server", ["stop"], environment: ["WORKERMAN_RUNTIME_DIR": runtimeDirectory])
        XCTAssertEqual(fast.status, 0, fast.output)
        XCTAssertTrue(fast.output.contains("stop success"), fast.output)
        XCTAssertNotNil(server.waitForExit(timeout: 5))
        held.close()
    }
}

extension ProcessModelTests {
    func testWorkersDropToTheConfiguredUserWhenStartedAsRoot() throws {
        if geteuid() != 0 { throw XCTSkip("needs root") }
        if getpwnam("nobody") == nil { throw XCTSkip("no user nobody") }
        let (server, port) = try start(extra: ["COUNT": "1", "RUN_AS": "nobody"])
        XCTAssertTrue(server.waitFor("started id=0"), server.log)
        XCTAssertEqual(try ask(port, "ping"), "ping")
        let worker = workerPIDs(master: server.process.processIdentifier).first!
        let status = try String(contentsOfFile: "/proc/\(worker)/status", encoding: .utf8)
        let uid = status.split(separator: "\n").first { $0.hasPrefix("Uid:") }?.split(separator: "\t").dropFirst().first
        XCTAssertEqual(uid.map(String.init), String(getpwnam("nobody")!.pointee.pw_uid))
        XCTAssertTrue(server.log.contains("nobody"), "the banner names the user")
    }

    func testAnUnknownUserFailsStartWithOneLine() throws {
        let server = try ServerProcess(
            "probe-server",
            environment: ["WORKERMAN_RUNTIME_DIR": runtimeDirectory, "PORT": "0", "RUN_AS": "no-such-user-x"])
        servers.append(server)
        XCTAssertEqual(server.waitForExit(timeout: 10), 1)
        XCTAssertTrue(server.log.contains("user 'no-such-user-x' does not exist"), server.log)
    }
}
