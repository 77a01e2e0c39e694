import Foundation
import Glibc
import WorkermanGateway
import WorkermanTestSupport
import XCTest

/// The gateway-probe fixture (register, 2 text gateway processes, 4 business workers) under load:
/// a reload of the business workers drops no client and loses, repeats or reorders no message, and
/// the new code answers after it; kill -9 of a business worker, a gateway process, the register.
final class GatewayReloadTests: XCTestCase {
    private var server: ExampleServer?
    private var clients: [LineClient] = []
    private var versionFile = ""

    override func tearDown() {
        for client in clients { client.close() }
        clients = []
        server?.stop()
        server = nil
        if !versionFile.isEmpty { unlink(versionFile) }
        super.tearDown()
    }

    private func start(workMicroseconds: Int = 0) throws -> (text: Int, register: Int) {
        versionFile = NSTemporaryDirectory() + "gateway-version-\(UUID().uuidString)"
        try "v1\n".write(toFile: versionFile, atomically: true, encoding: .utf8)
        let cluster = try ProbeCluster(environment: ["VERSION_FILE": versionFile, "WORK_US": "\(workMicroseconds)"])
        server = cluster.server
        XCTAssertTrue(cluster.waitUntilAnswering("v1:hello"), cluster.server.log)
        return (cluster.textPort, cluster.registerPort)
    }

    /// Business workers of the probe, by process title.
    private func pids(named name: String) -> [pid_t] {
        (server?.workerPIDs ?? []).filter { ProcessTable.title($0).contains(name) }
    }

    func testReloadUnderLoadDropsNothingKeepsOrderAndTheNewCodeAnswersAfter() throws {
        // Each event takes the business worker 0.3 ms: a burst of 20 queues up in the workers, so a
        // worker that left without telling its gateways would lose what it had not read yet.
        let (port, _) = try start(workMicroseconds: 300)
        for _ in 0..<20 { clients.append(try LineClient(port: port)) }
        let rounds = 500
        for round in 1...rounds {
            for (index, client) in clients.enumerated() { try client.send("c\(index)-\(round)") }
            if round == 100 {
                try "v2\n".write(toFile: versionFile, atomically: true, encoding: .utf8)
                let reload = try ServerProcess.run(
                    "gateway-probe", ["reload"], environment: ["WORKERMAN_RUNTIME_DIR": server!.runtimeDirectory])
                XCTAssertEqual(reload.status, 0, reload.output)
            }
            usleep(4_000)
        }
        XCTAssertTrue(server!.eventually(timeout: 30) { server!.log.contains("reload finished") }, server!.log)
        var switchedMidStream = 0
        for (index, client) in clients.enumerated() {
            var versions: [String] = []
            for round in 1...rounds {
                let line = try client.receive()
                let parts = line.split(separator: ":", maxSplits: 1).map(String.init)
                XCTAssertEqual(parts.last, "c\(index)-\(round)", "client \(index): every message once, in order")
                guard parts.last == "c\(index)-\(round)" else { break }
                if versions.last != parts[0] { versions.append(parts[0]) }
            }
            XCTAssertTrue(versions == ["v1", "v2"] || versions == ["v1"], "client \(index): \(versions)")
            if versions == ["v1", "v2"] { switchedMidStream += 1 }
            XCTAssertEqual(try client.ask("after"), "v2:after", "client \(index) is served by the new code")
        }
        XCTAssertGreaterThan(switchedMidStream, 0, "the reload happened while the messages flowed")
        XCTAssertEqual(
            server!.lines(containing: "dropped").count, 0, "no held event was dropped:\n\(server!.log)")
    }

    func testKillingABusinessWorkerOrAGatewayOrTheRegisterSparesTheOthers() throws {
        let (port, register) = try start()
        for index in 0..<16 {
            let client = try LineClient(port: port)
            clients.append(client)
            XCTAssertEqual(try client.ask("bind:u\(index)"), "ok:bind:u\(index)")
        }
        let api = GatewayClient(registerAddress: ["127.0.0.1:\(register)"])
        XCTAssertEqual(try api.getAllClientIdCount(), 16)

        // A business worker dies: every client is still connected and answered (by the others).
        let business = pids(named: "ProbeBusiness")
        XCTAssertEqual(business.count, 4)
        kill(business[0], SIGKILL)
        // What was in flight to it when it died is lost (at most once, as in GatewayWorker); once its
        // gateways saw it go, nothing is.
        waitUntilGone(business[0])
        for (index, client) in clients.enumerated() {
            XCTAssertEqual(
                try client.ask("after-worker-\(index)").split(separator: ":").last.map(String.init),
                "after-worker-\(index)")
        }

        // The register dies: traffic goes on; queries need it, and work again once it is back.
        let registers = pids(named: "Register")
        XCTAssertEqual(registers.count, 1)
        kill(registers[0], SIGKILL)
        waitUntilGone(registers[0])
        for (index, client) in clients.enumerated() {
            XCTAssertEqual(try client.ask("no-register-\(index)").hasSuffix(":no-register-\(index)"), true)
        }
        // A new client asks the new register: both gateways have announced themselves again.
        let fresh = GatewayClient(registerAddress: ["127.0.0.1:\(register)"])
        XCTAssertNotNil(
            GatewayTestSupport.eventually(timeout: 20) { try fresh.gatewayAddresses().count == 2 ? true : nil },
            "the register came back and the gateways announced themselves again")
        XCTAssertEqual(try fresh.getAllClientIdCount(), 16)
        XCTAssertEqual(try api.getClientIdByUid("u3").count, 1, "no route was lost")

        // A gateway process dies: its clients see a close, the other gateway's clients are untouched.
        let ids = try api.getAllClientIdList()
        let victimPort = ids[0].gatewayPort
        let gateways = pids(named: "ProbeGateway")
        XCTAssertEqual(gateways.count, 2)
        guard
            let victim = gateways.first(where: { pid in
                ProcessTable.descriptorCount(pid) > 0
                    && (try? String(contentsOfFile: "/proc/\(pid)/net/tcp", encoding: .utf8)) != nil
                    && ownsPort(pid, UInt16(victimPort))
            })
        else { return XCTFail("no gateway process listens on \(victimPort)") }
        kill(victim, SIGKILL)
        var closed = 0
        var answered = 0
        for (index, client) in clients.enumerated() {
            if let line = try? client.ask("after-gateway-\(index)"), line.hasSuffix(":after-gateway-\(index)") {
                answered += 1
            } else {
                closed += 1
            }
        }
        let onVictim = ids.filter { $0.gatewayPort == victimPort }.count
        XCTAssertEqual(closed, onVictim, "exactly the dead gateway's clients lost their connection")
        XCTAssertEqual(answered, 16 - onVictim)
    }

    /// Waits until process `pid` is reaped, and a little more for its peers to notice.
    private func waitUntilGone(_ pid: pid_t) {
        _ = GatewayTestSupport.eventually(timeout: 10) { access("/proc/\(pid)", F_OK) != 0 ? true : nil }
        usleep(300_000)
    }

    /// True when process `pid` holds a listening socket on `port` (its /proc/<pid>/fd links to a
    /// socket inode listed as listening on that port in /proc/net/tcp).
    private func ownsPort(_ pid: pid_t, _ port: UInt16) -> Bool {
        guard let table = try? String(contentsOfFile: "/proc/net/tcp", encoding: .utf8) else { return false }
        let hexPort = String(format: ":%04X", port)
        let inodes = table.split(separator: "\n").compactMap { line -> String? in
            let fields = line.split(separator: " ")
            guard fields.count > 9, fields[1].hasSuffix(hexPort), fields[3] == "0A" else { return nil }
            return String(fields[9])
        }
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd") else {
            return false
        }
        for entry in entries {
            if let link = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/fd/\(entry)"),
                inodes.contains(where: { link == "socket:[\($0)]" })
            {
                return true
            }
        }
        return false
    }
}
