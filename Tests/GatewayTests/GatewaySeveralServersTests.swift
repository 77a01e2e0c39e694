import Foundation
import Glibc
import WorkermanGateway
import WorkermanTestSupport
import XCTest

/// Several servers as separate process trees sharing one register: two gateway groups on 127.0.0.2
/// and 127.0.0.3, the business workers on 127.0.0.1. Sends reach clients of either group; the
/// register goes away and comes back without losing a client connection or a route.
final class GatewaySeveralServersTests: XCTestCase {
    private var trees: [ProbeCluster] = []
    private var clients: [LineClient] = []

    override func tearDown() {
        for client in clients { client.close() }
        for tree in trees { tree.server.stop() }
        clients = []
        trees = []
        super.tearDown()
    }

    private func gatewayGroup(_ ip: String, register: Int) throws -> ProbeCluster {
        let tree = try ProbeCluster(
            roles: "gateway",
            environment: ["LAN_IP": ip, "TEXT_HOST": ip, "REGISTER_ADDRESS": "127.0.0.1:\(register)"])
        trees.append(tree)
        return tree
    }

    func testTwoGatewayGroupsOneRegisterBusinessWorkersElsewhereAndARegisterRestart() throws {
        let registerTree = try ProbeCluster(roles: "register")
        trees.append(registerTree)
        let register = registerTree.registerPort
        let groupA = try gatewayGroup("127.0.0.2", register: register)
        let groupB = try gatewayGroup("127.0.0.3", register: register)
        trees.append(try ProbeCluster(roles: "business", environment: ["REGISTER_ADDRESS": "127.0.0.1:\(register)"]))
        XCTAssertTrue(groupA.waitUntilAnswering("v0:hello", host: "127.0.0.2"), groupA.server.log)
        XCTAssertTrue(groupB.waitUntilAnswering("v0:hello", host: "127.0.0.3"), groupB.server.log)

        for index in 0..<20 {
            let (tree, host) = index % 2 == 0 ? (groupA, "127.0.0.2") : (groupB, "127.0.0.3")
            let client = try LineClient(port: tree.textPort, host: host)
            clients.append(client)
            XCTAssertEqual(try client.ask("bind:u\(index)"), "ok:bind:u\(index)")
            XCTAssertEqual(try client.ask("join:everyone"), "ok:join:everyone")
        }
        let api = GatewayClient(registerAddress: ["127.0.0.1:\(register)"])
        XCTAssertEqual(Set(try api.gatewayAddresses().map { $0.split(separator: ":")[0] }), ["127.0.0.2", "127.0.0.3"])
        XCTAssertEqual(try api.getAllClientIdCount(), 20)
        let ids = try api.batchGetClientIdByUid((0..<20).map { "u\($0)" })
        for index in 0..<20 {
            XCTAssertEqual(
                ids["u\(index)"]?.first?.gatewayAddress.hasPrefix(index % 2 == 0 ? "127.0.0.2:" : "127.0.0.3:"), true)
        }
        try api.sendToUid(["u3", "u4"], "to-u3-u4")
        try api.sendToGroup("everyone", "to-everyone")
        XCTAssertEqual(try clients[3].receive(), "to-u3-u4")
        XCTAssertEqual(try clients[4].receive(), "to-u3-u4")
        for client in clients { XCTAssertEqual(try client.receive(), "to-everyone") }

        // The register goes away: the clients keep talking to the business workers.
        registerTree.server.stop()
        trees.removeFirst()
        for (index, client) in clients.enumerated() {
            XCTAssertEqual(try client.ask("while-away-\(index)"), "v0:while-away-\(index)")
        }
        // It comes back on the same port, empty: gateways and workers announce themselves again.
        trees.append(try ProbeCluster(roles: "register", register: register))
        let fresh = GatewayClient(registerAddress: ["127.0.0.1:\(register)"])
        XCTAssertNotNil(GatewayTestSupport.eventually { try fresh.gatewayAddresses().count == 4 ? true : nil })
        XCTAssertEqual(try fresh.getAllClientIdCount(), 20, "no client connection was lost")
        XCTAssertEqual(try fresh.getClientIdByUid("u7").count, 1, "no route was lost")
        XCTAssertEqual(try fresh.getClientIdCountByGroup("everyone"), 20)
        for (index, client) in clients.enumerated() {
            XCTAssertEqual(try client.ask("after-\(index)"), "v0:after-\(index)")
        }
    }
}
