import Foundation
import Glibc
import WorkermanTestSupport
import XCTest

/// Reload, graceful stop and SIGTERM drain connections instead of cutting them: real servers, real
/// clients, the operator's commands.
final class DrainTests: XCTestCase {
    private var servers: [ExampleServer] = []
    private var loads: [KeepAliveLoad] = []

    override func tearDown() {
        for load in loads { _ = load.stop() }
        for server in servers {
            let workers = server.workerPIDs
            server.stop()
            for pid in workers { kill(pid, SIGKILL) }
        }
        super.tearDown()
    }

    private func httpServer(_ environment: [String: String] = [:]) throws -> (ExampleServer, Int) {
        let server = try ExampleServer(
            "http-server",
            environment: ["HTTP_PORT": "0", "WORKER_PID_HEADER": "1"].merging(environment) { $1 })
        servers.append(server)
        return (server, try server.port("http"))
    }

    private func command(_ server: ExampleServer, _ arguments: [String]) throws {
        let result = try ServerProcess.run(
            server.process.executable, arguments, environment: ["WORKERMAN_RUNTIME_DIR": server.runtimeDirectory])
        XCTAssertEqual(result.status, 0, result.output)
    }

    private func startLoad(port: Int, connections: Int) -> KeepAliveLoad {
        let load = KeepAliveLoad(port: port, connections: connections)
        loads.append(load)
        return load
    }

    /// Waits until `load` has `more` answers beyond what it had.
    private func waitForAnswers(_ load: KeepAliveLoad, _ more: Int, timeout: Double = 20) -> Bool {
        let target = load.current.answered + more
        return spinLoop(timeout: timeout) { load.current.answered >= target }
    }

    /// Runs `arguments` (a reload) and waits until every worker process that was there has exited
    /// and the load has been answered by the new ones for a while.
    private func reloadAndWait(_ server: ExampleServer, _ arguments: [String], _ load: KeepAliveLoad) throws {
        let old = server.workerPIDs
        let finished = server.lines(containing: "reload finished").count
        try command(server, arguments)
        XCTAssertTrue(
            server.eventually(timeout: 30) { server.lines(containing: "reload finished").count > finished }, server.log)
        XCTAssertTrue(server.eventually(timeout: 30) { old.allSatisfy { kill($0, 0) != 0 } }, "old processes left")
        XCTAssertTrue(waitForAnswers(load, 200))
    }

    func testReloadAndGracefulReloadUnderSteadyKeepAliveLoadFailNoRequest() throws {
        let (server, port) = try httpServer(["HTTP_PROCESSES": "2"])
        XCTAssertTrue(server.eventually { server.workerPIDs.count == 2 })
        let load = startLoad(port: port, connections: 20)
        XCTAssertTrue(waitForAnswers(load, 200), "the load runs: \(load.current)")
        try reloadAndWait(server, ["reload"], load)
        try reloadAndWait(server, ["reload", "-g"], load)
        let tally = load.stop()
        print(
            "measured: reload + reload -g under 20 keep-alive connections: sent \(tally.sent), "
                + "answered \(tally.answered), failed \(tally.failed), Connection: close \(tally.closedByServer)")
        XCTAssertEqual(tally.failed, 0, "failed requests: \(tally.failures.prefix(5))")
        XCTAssertGreaterThanOrEqual(tally.closedByServer, 20, "each leaving worker's connections were told to close")
        XCTAssertGreaterThanOrEqual(tally.answeredBy.count, 4, "old and new processes answered: \(tally.answeredBy)")
    }

    func testSIGTERMDrainsInFlightConnectionsAndStopsWithinStopTimeout() throws {
        let (server, port) = try httpServer(["STOP_TIMEOUT_S": "3"])
        let load = startLoad(port: port, connections: 10)
        XCTAssertTrue(waitForAnswers(load, 100))
        let idle = try BlockingClient(port: port, timeout: 10)
        try idle.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        XCTAssertTrue(try idle.receive(untilSuffix: "Hello, World!").contains("200 OK"))
        server.process.signal(SIGTERM)
        XCTAssertEqual(server.process.waitForExit(timeout: 3 + 5), 0, "stopped within stopTimeout:\n\(server.log)")
        let tally = load.stop()
        // Connections made after the worker stopped accepting were never answered by anyone (the
        // server is gone): those are "?"; every connection that was being served got its answers.
        let cut = tally.failedOn.filter { $0.key != "?" }
        XCTAssertTrue(cut.isEmpty, "requests cut on served connections: \(cut) \(tally.failures.prefix(5))")
        XCTAssertGreaterThanOrEqual(tally.closedByServer, 10, "answered with Connection: close")
        XCTAssertEqual(try idle.receiveUntilClosed().bytes, 0, "the idle keep-alive connection was closed")
        XCTAssertTrue(server.log.contains("draining"), server.log)
    }

    func testALeavingWorkerClosesAnIdleConnectionAfterTheGraceAndAnswersTheNextRequestWithConnectionClose() throws {
        let (server, port) = try httpServer(["STOP_TIMEOUT_S": "30"])
        let idle = try BlockingClient(port: port, timeout: 10)
        let busy = try BlockingClient(port: port, timeout: 10)
        for client in [idle, busy] {
            try client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            XCTAssertFalse(try client.receive(untilSuffix: "Hello, World!").contains("Connection: close"))
        }
        let old = server.workerPIDs
        try command(server, ["reload"])
        XCTAssertTrue(server.eventually { server.lines(containing: "reload finished").count == 1 }, server.log)
        try busy.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        let last = try busy.receive(untilSuffix: "Hello, World!")
        XCTAssertTrue(last.contains("Connection: close"), last)
        XCTAssertEqual(try busy.receiveUntilClosed().bytes, 0, "closed after the response")
        XCTAssertEqual(try idle.receiveUntilClosed().bytes, 0, "the idle one is closed after the grace")
        // Long before stopTimeout (30 s): the process left as soon as its connections were gone.
        XCTAssertTrue(server.eventually(timeout: 10) { old.allSatisfy { kill($0, 0) != 0 } }, server.log)
    }

    func testAReloadSendsWebSocketClientsAGoingAwayClose() throws {
        let server = try ExampleServer("ws-echo", environment: ["WS_PORT": "0"])
        servers.append(server)
        let port = try server.port("websocket")
        let client = try ExampleWebSocketClient(port: port, timeout: 10)
        try client.send("hello")
        XCTAssertEqual(try client.receive(), "hello")
        try command(server, ["reload"])
        XCTAssertEqual(try client.receiveClose(), 1001)
        client.close()
    }
}
