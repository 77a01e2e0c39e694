import Foundation
import Glibc
import WorkermanGateway
import WorkermanTestSupport
import XCTest

/// The `gateway-chat` example as a real program (register, 2 websocket gateway processes, 4 business
/// workers, the HTTP push API), with 200 websocket clients and this test process as the "separate
/// program" pushing through the blocking `GatewayClient`.
final class GatewayChatExampleTests: XCTestCase {
    private var server: ExampleServer?
    private var clients: [ExampleWebSocketClient] = []

    override func tearDown() {
        for client in clients { client.close() }
        clients = []
        server?.stop()
        server = nil
        super.tearDown()
    }

    private struct Ports {
        let register: Int
        let websocket: Int
        let http: Int
    }

    private func start() throws -> Ports {
        let register = ExampleServer.freePort()
        let server = try ExampleServer(
            "gateway-chat",
            environment: [
                "REGISTER_PORT": "\(register)", "WS_PORT": "0", "HTTP_PORT": "0",
                "GATEWAY_START_PORT": "\(GatewayTestSupport.freePortPair())", "GATEWAY_COUNT": "2",
                "BUSINESS_COUNT": "4",
            ])
        self.server = server
        return Ports(register: register, websocket: try server.port("websocket"), http: try server.port("http"))
    }

    private func json(_ text: String) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
    }

    /// Connects and logs in; returns the client id the business worker answered with.
    private func login(_ client: ExampleWebSocketClient, uid: String, groups: [String]) throws -> String {
        let groupList = groups.map { "\"\($0)\"" }.joined(separator: ",")
        try client.send("{\"type\":\"login\",\"uid\":\"\(uid)\",\"groups\":[\(groupList)]}")
        let answer = json(try client.receive())
        XCTAssertEqual(answer["type"] as? String, "login")
        return answer["client_id"] as? String ?? ""
    }

    /// Waits until all 4 business workers of both gateways can take clients: a login answers.
    private func waitUntilServing(_ ports: Ports) throws {
        let ready = GatewayTestSupport.eventually { () -> Bool? in
            let probe = try ExampleWebSocketClient(port: ports.websocket, timeout: 2)
            defer { probe.close() }
            return try login(probe, uid: "probe", groups: []).count == 20 ? true : nil
        }
        XCTAssertEqual(ready, true, server?.log ?? "")
        usleep(300_000)  // the remaining business workers finish connecting to both gateways
    }

    /// The client's next message that is not a join or leave notice (others' log-ins: tested in
    /// `testGroupsAreToldWhoJoinsAndLeaves`).
    private func receiveSkippingNotices(_ client: ExampleWebSocketClient) throws -> String {
        while true {
            let message = try client.receive()
            if !["join", "leave"].contains(json(message)["type"] as? String) { return message }
        }
    }

    /// The client's next message but notices, decoded.
    private func nextEvent(_ client: ExampleWebSocketClient) throws -> NSDictionary {
        json(try receiveSkippingNotices(client)) as NSDictionary
    }

    /// Reads each client's messages up to (not including) `marker`, but notices.
    private func messagesBefore(_ marker: String, _ client: ExampleWebSocketClient) throws -> [String] {
        var messages: [String] = []
        while true {
            let message = try receiveSkippingNotices(client)
            if message.contains(marker) { return messages }
            messages.append(message)
        }
    }

    func testTwoHundredClientsGetExactlyWhatIsSentToTheirUidGroupOrEveryone() throws {
        let ports = try start()
        try waitUntilServing(ports)
        let count = 200
        var ids: [String] = []
        for index in 0..<count {
            let client = try ExampleWebSocketClient(port: ports.websocket, timeout: 10)
            clients.append(client)
            ids.append(try login(client, uid: "u\(index)", groups: ["g\(index % 5)", "all"]))
        }
        XCTAssertEqual(Set(ids).count, count, "client ids are unique")
        XCTAssertTrue(ids.allSatisfy { ClientID($0) != nil }, "20 hex characters")
        let gateways = Set(ids.compactMap { ClientID($0)?.gatewayAddress })
        XCTAssertEqual(gateways.count, 2, "both gateway processes hold clients: \(gateways)")

        let api = GatewayClient(registerAddress: ["127.0.0.1:\(ports.register)"])
        XCTAssertEqual(try api.getAllClientIdCount(), count)
        XCTAssertEqual(try api.getClientIdCountByGroup("g3"), count / 5)
        XCTAssertEqual(try api.getAllUidCount(), count)
        XCTAssertEqual(Set(try api.getUidListByGroup("g1")), Set(stride(from: 1, to: count, by: 5).map { "u\($0)" }))
        XCTAssertEqual(try api.getClientIdByUid("u7").map(\.description), [ids[7]])
        XCTAssertEqual(try api.getUidByClientId(ClientID(ids[9])!), "u9")
        XCTAssertEqual(
            try api.getSession(ClientID(ids[11])!), ["uid": "u11", "groups": ["g1", "all"]],
            "the business worker kept the uid and groups in the session")
        XCTAssertTrue(try api.isOnline(ClientID(ids[0])!))
        XCTAssertTrue(try api.isUidOnline("u199"))
        XCTAssertFalse(try api.isUidOnline("nobody"))
        XCTAssertEqual(Set(try api.getAllGroupIdList()), ["g0", "g1", "g2", "g3", "g4", "all"])
        XCTAssertEqual(try api.getAllGroupClientIdCount()["all"], count)
        XCTAssertEqual(try api.getAllGroupUidCount()["g4"], count / 5)
        XCTAssertEqual(
            Set(try api.getClientIdListByGroup("g2").map(\.description)),
            Set(stride(from: 2, to: count, by: 5).map { ids[$0] }))
        XCTAssertEqual(try api.getAllClientIdList().count, count)
        XCTAssertEqual(try ExampleServer.http(port: ports.http, "/count").body, "{\"count\":\(count)}")
        XCTAssertEqual(try ExampleServer.http(port: ports.http, "/count?group=g0").body, "{\"count\":\(count / 5)}")
        XCTAssertEqual(try ExampleServer.http(port: ports.http, "/online?uid=u5").body, "{\"online\":true}")
        XCTAssertEqual(try ExampleServer.http(port: ports.http, "/online?uid=zz").body, "{\"online\":false}")

        // From this process: to uids, a group with an exclusion, everyone; then a marker, which comes
        // after all of it on every gateway connection.
        try api.sendToUid("u3", "to-u3")
        try api.sendToUid(["u4", "u150"], "to-u4-u150")
        try api.sendToGroup("g2", "to-g2", exclude: [ClientID(ids[2])!])
        try api.sendToAll("to-all")
        try api.sendToAll("to-some", only: [ClientID(ids[0])!, ClientID(ids[199])!])
        try api.sendToClient(ClientID(ids[42])!, "to-42")
        try api.sendToAll("MARKER")
        for index in 0..<count {
            var expected: [String] = []
            if index == 3 { expected.append("to-u3") }
            if index == 4 || index == 150 { expected.append("to-u4-u150") }
            if index % 5 == 2 && index != 2 { expected.append("to-g2") }
            expected.append("to-all")
            if index == 0 || index == 199 { expected.append("to-some") }
            if index == 42 { expected.append("to-42") }
            XCTAssertEqual(try messagesBefore("MARKER", clients[index]), expected, "client \(index)")
        }

        // A client talks to its group; the HTTP API pushes to a uid, a group and everyone.
        try clients[10].send("{\"type\":\"say\",\"group\":\"g0\",\"msg\":\"hello g0\"}")
        for index in stride(from: 0, to: count, by: 5) {
            XCTAssertEqual(
                try nextEvent(clients[index]),
                ["type": "say", "from": "u10", "msg": "hello g0"])
        }
        XCTAssertEqual(try ExampleServer.http(port: ports.http, "/push?uid=u1&msg=p1").body, "{\"ok\":true}")
        XCTAssertEqual(try nextEvent(clients[1]), ["type": "push", "msg": "p1"])
        XCTAssertEqual(try ExampleServer.http(port: ports.http, "/push?group=g4&msg=p4").body, "{\"ok\":true}")
        for index in stride(from: 4, to: count, by: 5) {
            XCTAssertEqual(try nextEvent(clients[index]), ["type": "push", "msg": "p4"])
        }
        XCTAssertEqual(try ExampleServer.http(port: ports.http, "/push?msg=everyone").body, "{\"ok\":true}")
        for client in clients {
            XCTAssertEqual(try nextEvent(client), ["type": "push", "msg": "everyone"])
        }
        for (index, client) in clients.enumerated() where index % 37 == 0 {
            let others = try client.messagesArriving(within: 0.05).filter { json($0)["type"] as? String != "join" }
            XCTAssertEqual(others, [], "nothing else arrived at client \(index)")
        }

        // A closed client is gone from the counts.
        clients[0].close()
        XCTAssertNotNil(GatewayTestSupport.eventually { try api.getAllClientIdCount() == count - 1 ? true : nil })
        XCTAssertFalse(try api.isUidOnline("u0"))
    }

    func testGroupsAreToldWhoJoinsAndLeaves() throws {
        let ports = try start()
        try waitUntilServing(ports)
        let (alice, bob, carol) = try (
            ExampleWebSocketClient(port: ports.websocket, timeout: 10),
            ExampleWebSocketClient(port: ports.websocket, timeout: 10),
            ExampleWebSocketClient(port: ports.websocket, timeout: 10)
        )
        clients = [alice, bob, carol]
        _ = try login(alice, uid: "alice", groups: ["lobby", "swift"])
        _ = try login(bob, uid: "bob", groups: ["lobby"])
        XCTAssertEqual(json(try alice.receive()) as NSDictionary, ["type": "join", "group": "lobby", "uid": "bob"])
        _ = try login(carol, uid: "carol", groups: ["swift"])
        XCTAssertEqual(json(try alice.receive()) as NSDictionary, ["type": "join", "group": "swift", "uid": "carol"])

        alice.close()
        XCTAssertEqual(json(try bob.receive()) as NSDictionary, ["type": "leave", "group": "lobby", "uid": "alice"])
        XCTAssertEqual(json(try carol.receive()) as NSDictionary, ["type": "leave", "group": "swift", "uid": "alice"])
        XCTAssertEqual(try bob.messagesArriving(within: 0.3), [], "one notice per shared group, none of your own")
        XCTAssertEqual(try carol.messagesArriving(within: 0.05), [])
    }

    func testARegisterOnPortZeroFailsTheStartInOneLine() throws {
        let result = try ServerProcess.run("gateway-chat", ["start"], environment: ["REGISTER_PORT": "0"])
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(result.output, "gateway-chat: REGISTER_PORT=0 cannot work; give the register a port\n")
    }

    func testThePageIsServed() throws {
        let ports = try start()
        let page = try ExampleServer.http(port: ports.http, "/")
        XCTAssertEqual(page.status, 200)
        XCTAssertTrue(page.body.contains("gateway-chat"))
        XCTAssertEqual(
            try ExampleServer.http(port: ports.http, "/config.js").body,
            "window.CHAT_CONFIG = { wsPort: \(ports.websocket), scheme: \"ws\" };\n")
    }
}
