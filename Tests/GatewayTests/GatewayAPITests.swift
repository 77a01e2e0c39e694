import Foundation
import Glibc
import Workerman
import WorkermanGateway
import WorkermanTestSupport
import XCTest

/// The rest of the Gateway API against the probe cluster (register, 2 text gateways, 4 business
/// workers): closing, groups and uids undone, sessions merged and listed, batch queries, from the
/// blocking client and from the asynchronous one on this test's event loop.
final class GatewayAPITests: ProbeClusterTestCase {
    override func tearDown() {
        Timer.delAll()
        super.tearDown()
    }

    /// Four clients: u0...u3, u0 and u1 in group "a", all in "b".
    private func start() throws -> (GatewayClient, [ClientID]) {
        let cluster = try ProbeCluster()
        self.cluster = cluster
        XCTAssertTrue(cluster.waitUntilAnswering("v0:hello"), cluster.server.log)
        XCTAssertTrue(cluster.waitUntilNoClient(), "the probe left: \(cluster.server.log)")
        for index in 0..<4 {
            let client = try LineClient(port: cluster.textPort)
            clients.append(client)
            XCTAssertEqual(try client.ask("bind:u\(index)"), "ok:bind:u\(index)")
            if index < 2 { XCTAssertEqual(try client.ask("join:a"), "ok:join:a") }
            XCTAssertEqual(try client.ask("join:b"), "ok:join:b")
        }
        let api = GatewayClient(registerAddress: ["127.0.0.1:\(cluster.registerPort)"])
        let ids = try (0..<4).map { try XCTUnwrap(api.getClientIdByUid("u\($0)").first) }
        return (api, ids)
    }

    /// True when the server closes `client` (end of file or a reset) before it sends another line.
    private func closedByServer(_ client: LineClient) -> Bool {
        do {
            let line = try client.receive()
            XCTFail("a line instead of the close: \(line)")
            return false
        } catch {
            return "\(error)".contains("closed the connection") || "\(error)".contains("errno 104")
        }
    }

    func testMembershipSessionsAndClosingThroughTheBlockingClient() throws {
        let (api, ids) = try start()
        XCTAssertEqual(try api.batchGetClientIdCountByGroup(["a", "b", "none"]), ["a": 2, "b": 4, "none": 0])
        XCTAssertEqual(try api.getAllGroupUidList(), ["a": ["u0", "u1"], "b": ["u0", "u1", "u2", "u3"]])
        XCTAssertEqual(try api.getAllGroupUidCount(), ["a": 2, "b": 4])
        XCTAssertEqual(try api.getUidCountByGroup("a"), 2)
        XCTAssertEqual(try api.batchGetClientIdByUid(["u2", "nobody"]), ["u2": [ids[2]], "nobody": []])

        try api.leaveGroup(ids[1], "a")
        try api.unbindUid(ids[3], "u3")
        XCTAssertEqual(try api.getUidListByGroup("a"), ["u0"])
        XCTAssertEqual(try api.getClientIdByUid("u3"), [])
        XCTAssertNil(try api.getUidByClientId(ids[3]))
        try api.ungroup("b")
        XCTAssertEqual(try api.getAllGroupIdList(), ["a"])

        try api.setSession(ids[0], ["name": "zero", "prefs": ["x": 1, "y": 2]])
        try api.updateSession(ids[0], ["prefs": ["y": 20, "z": 30], "visits": 1])
        XCTAssertEqual(try api.getSession(ids[0]), ["name": "zero", "prefs": ["x": 1, "y": 20, "z": 30], "visits": 1])
        XCTAssertEqual(try api.getSession(ids[1]), [:], "a client without a session has an empty one")
        let sessions = try api.getAllClientSessions()
        XCTAssertEqual(Set(sessions.keys), Set(ids))
        XCTAssertEqual(sessions[ids[0]]?["name"], "zero")
        XCTAssertEqual(try api.getClientSessionsByGroup("a").keys.sorted(), [ids[0]])

        try api.sendToAll("not-to-1", exclude: [ids[1]])
        try api.sendToGroup(["a"], "to-a")
        XCTAssertEqual(try clients[0].receive(), "not-to-1")
        XCTAssertEqual(try clients[0].receive(), "to-a")
        XCTAssertEqual(try clients[2].receive(), "not-to-1")
        XCTAssertEqual(try clients[3].receive(), "not-to-1")
        XCTAssertEqual(try clients[1].ask("ping"), "v0:ping", "client 1 got neither")

        try api.closeClient(ids[2], "bye")
        XCTAssertEqual(try clients[2].receive(), "bye")
        XCTAssertTrue(closedByServer(clients[2]))
        try api.destroyClient(ids[3])
        XCTAssertTrue(closedByServer(clients[3]))
        XCTAssertNotNil(GatewayTestSupport.eventually { try api.getAllClientIdCount() == 2 ? true : nil })
        XCTAssertFalse(try api.isOnline(ids[3]))
        XCTAssertNil(try api.getSession(ids[3]), "a client that is gone has no session")
    }

    func testTheAsynchronousClientOnAnEventLoop() throws {
        let (_, ids) = try start()
        let api = AsyncGatewayClient(registerAddress: ["127.0.0.1:\(cluster!.registerPort)"])
        var count: Result<Int, GatewayError>?
        var online: Result<Bool, GatewayError>?
        var uids: Result<[String], GatewayError>?
        api.sendToUid("u1", "async-push")
        api.getAllClientIdCount { count = $0 }
        api.isOnline(ids[2]) { online = $0 }
        api.getUidListByGroup("a") { uids = $0 }
        XCTAssertTrue(spinLoop(timeout: 10) { count != nil && online != nil && uids != nil })
        XCTAssertEqual(try count?.get(), 4)
        XCTAssertEqual(try online?.get(), true)
        XCTAssertEqual(try uids?.get(), ["u0", "u1"])
        XCTAssertEqual(try clients[1].receive(), "async-push")

        let unreachable = AsyncGatewayClient(registerAddress: ["127.0.0.1:\(ExampleServer.freePort())"])
        unreachable.timeout = 0.5
        var failed: Result<Int, GatewayError>?
        unreachable.getAllClientIdCount { failed = $0 }
        XCTAssertTrue(spinLoop(timeout: 10) { failed != nil }, "a query with no register fails within its timeout")
        XCTAssertThrowsError(try failed?.get())
    }

    func testTheWebSocketHandshakeReachesTheBusinessWorker() throws {
        let cluster = try ProbeCluster(environment: ["GATEWAY_SCHEME": "websocket"])
        self.cluster = cluster
        let api = GatewayClient(registerAddress: ["127.0.0.1:\(cluster.registerPort)"])
        XCTAssertNotNil(
            GatewayTestSupport.eventually { try api.gatewayAddresses().count == 2 ? true : nil },
            "both gateway processes registered: \((try? api.gatewayAddresses()) ?? []); \(cluster.server.log)")
        let client = try WebSocketTestClient(port: cluster.textPort)
        defer { client.close() }
        let head = try client.handshake(
            path: "/chat?room=lobby&n=2", extraHeaders: "Cookie: token=abc\r\nUser-Agent: probe/1\r\n")
        XCTAssertTrue(head.hasPrefix("HTTP/1.1 101"), head)
        let id = try XCTUnwrap(GatewayTestSupport.eventually { try api.getAllClientIdList().first })
        let session = GatewayTestSupport.eventually { try api.getSession(id).flatMap { $0["get"] == nil ? nil : $0 } }
        XCTAssertEqual(session, ["get": ["n": "2", "room": "lobby"], "cookie": ["token": "abc"], "agent": "probe/1"])
    }

    func testTheHeartbeatPingsAndClosesSilentClients() throws {
        let cluster = try ProbeCluster(environment: ["PING_INTERVAL": "0.4", "PING_LIMIT": "1", "PING_DATA": "ping"])
        self.cluster = cluster
        XCTAssertTrue(cluster.waitUntilAnswering("v0:hello"), cluster.server.log)
        let silent = try LineClient(port: cluster.textPort)
        let talking = try LineClient(port: cluster.textPort)
        clients += [silent, talking]
        // The talking client keeps talking (its heartbeat count restarts) while the silent one is pinged and closed.
        for round in 0..<12 {
            var line = try talking.ask("still-\(round)")
            while line == "ping" { line = try talking.receive() }
            XCTAssertEqual(line, "v0:still-\(round)")
            usleep(100_000)
        }
        XCTAssertEqual(try silent.receive(), "ping")
        XCTAssertTrue(closedByServer(silent), "closed after pingNotResponseLimit silent intervals")
    }
}
