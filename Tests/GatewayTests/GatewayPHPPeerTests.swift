import Foundation
import Glibc
import WorkermanGateway
import WorkermanTestSupport
import XCTest

/// Wire compatibility with GatewayWorker 4, checked against an independent peer written in PHP
/// (Tests/GatewayPHP/peer.php: pack(), serialize(), the Register's JSON lines, php-cli only):
/// frames it builds are understood by our register and gateway, frames ours build are understood by
/// it, sessions round-trip both ways. Skipped without php-cli, except under CI (CI=true), where it fails.
final class GatewayPHPPeerTests: XCTestCase {
    private var clusters: [ProbeCluster] = []
    private var clients: [LineClient] = []
    private var peers: [Process] = []

    override func setUpWithError() throws {
        let found = ((try? ServerProcess.run("/usr/bin/env", ["php", "-v"]))?.status ?? 1) == 0
        if !found {
            if ProcessInfo.processInfo.environment["CI"] == "true" {
                XCTFail("php-cli is missing under CI: .ci/deps/php.sh installs it")
            }
            throw XCTSkip("php-cli not installed (apt-get install php-cli)")
        }
    }

    override func tearDown() {
        for client in clients { client.close() }
        for peer in peers where peer.isRunning { kill(peer.processIdentifier, SIGKILL) }
        for cluster in clusters { cluster.server.stop() }
        clients = []
        peers = []
        clusters = []
        super.tearDown()
    }

    private var script: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("GatewayPHP/peer.php").path
    }

    private func php(_ arguments: [String], timeout: Double = 20) throws -> String {
        let result = try ServerProcess.run("/usr/bin/env", ["php", script] + arguments, timeout: timeout)
        XCTAssertEqual(result.status, 0, result.output)
        return result.output
    }

    private func json(_ line: Substring) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any] ?? [:]
    }

    func testAPHPGatewayClientPushesQueriesAndSetsSessionsOnOurGateway() throws {
        let cluster = try ProbeCluster()
        clusters.append(cluster)
        XCTAssertTrue(cluster.waitUntilAnswering("v0:hello"), cluster.server.log)
        XCTAssertTrue(cluster.waitUntilNoClient(), "the probe left: \(cluster.server.log)")
        let a = try LineClient(port: cluster.textPort)
        let b = try LineClient(port: cluster.textPort)
        clients += [a, b]
        XCTAssertEqual(try a.ask("bind:u1"), "ok:bind:u1")
        XCTAssertEqual(try b.ask("join:g"), "ok:join:g")
        let api = GatewayClient(registerAddress: ["127.0.0.1:\(cluster.registerPort)"])
        let idA = try XCTUnwrap(api.getClientIdByUid("u1").first)
        let idB = try XCTUnwrap(api.getClientIdListByGroup("g").first)
        let ours: GatewaySession = ["name": "b", "list": [1, "two", 3.5, false, nil], 10: ["deep": ["x": 1]]]
        try api.setSession(idB, ours)

        let output = try php(["client", "127.0.0.1:\(cluster.registerPort)", idA.description, idB.description])
        let result = json(output.split(separator: "\n").last ?? "")
        XCTAssertEqual(result["count"] as? Int, 2, output)
        XCTAssertEqual(result["gateways"] as? Int, 2, output)
        XCTAssertEqual(result["online_b"] as? Int, 1, output)
        // PHP's json_encode of what it unserialized from our session.
        let expected: NSDictionary = ["name": "b", "list": [1, "two", 3.5, false, NSNull()], "10": ["deep": ["x": 1]]]
        XCTAssertEqual(result["session_b"] as? NSDictionary, expected, output)
        XCTAssertEqual(try a.receive(), "php-to-u1")
        XCTAssertEqual(try b.receive(), "php-to-g")
        XCTAssertEqual(
            try api.getSession(idA),
            ["php": ["nested": [1, 2.5, true, nil, "x"]], 7: "seven", "unicode": "héllo"],
            "PHP's serialize() read by us")
    }

    func testAPHPBusinessWorkerServesOurGateway() throws {
        let cluster = try ProbeCluster(roles: "register,gateway")
        clusters.append(cluster)
        let api = GatewayClient(registerAddress: ["127.0.0.1:\(cluster.registerPort)"])
        XCTAssertNotNil(GatewayTestSupport.eventually { try api.gatewayAddresses().count == 2 ? true : nil })
        let peer = Process()
        let pipe = Pipe()
        peer.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        peer.arguments = ["php", script, "business", "127.0.0.1:\(cluster.registerPort)", "15"]
        peer.standardOutput = pipe
        peer.standardError = pipe
        try peer.run()
        peers.append(peer)
        let client = try LineClient(port: cluster.textPort)
        clients.append(client)
        // The gateway holds the client's events until a business worker is there.
        XCTAssertEqual(try client.ask("hello"), "php:hello")
        XCTAssertEqual(try client.ask("again"), "php:again")
        let id = try XCTUnwrap(api.getAllClientIdList().first)
        XCTAssertEqual(
            GatewayTestSupport.eventually { try api.getSession(id)?["seen"] == "again" ? true : nil }, true)
        XCTAssertEqual(try api.getSession(id), ["seen": "again", "n": [1, 2.5, true, nil]])
    }

    func testOurBusinessWorkerServesAPHPGateway() throws {
        let cluster = try ProbeCluster(roles: "register,business", environment: ["BUSINESS_COUNT": "1"])
        clusters.append(cluster)
        let port = ExampleServer.freePort()
        let output = try php(["gateway", "127.0.0.1:\(cluster.registerPort)", "\(port)"])
        let frames = output.split(separator: "\n").map(json)
        XCTAssertEqual(frames.first?["cmd"] as? Int, 200, output)
        XCTAssertTrue((frames.first?["worker_key"] as? String)?.hasPrefix("ProbeBusiness:0") == true, output)
        let sends = frames.filter { $0["cmd"] as? Int == 5 }
        XCTAssertEqual(sends.map { $0["body"] as? String }, ["v0:hello", "ok:bind:u9"], output)
        XCTAssertTrue(sends.allSatisfy { $0["connection_id"] as? Int == 5 && $0["scalar"] as? Bool == true }, output)
        let bind = frames.first { $0["cmd"] as? Int == 12 }
        XCTAssertEqual(bind?["ext_data"] as? String, "u9", output)
        XCTAssertEqual(bind?["connection_id"] as? Int, 5, output)
    }
}
