import Foundation
import Glibc
import WorkermanGateway
import WorkermanTestSupport
import XCTest

/// Bad input on the internal connections: a malformed, unauthenticated or unknown frame closes that
/// one connection with a logged reason and touches no client; the register closes bad lines, wrong
/// keys and connections that never authenticate.
final class GatewayFaultTests: ProbeClusterTestCase {

    /// True when the server closes `socket` within its timeout (end of file or a reset).
    private func closedByServer(_ socket: BlockingClient) -> Bool {
        do {
            return try socket.receiveSome().isEmpty
        } catch {
            return "\(error)".contains("recv failed")
        }
    }

    private func raw(_ port: Int, _ bytes: [UInt8]) throws -> BlockingClient {
        let socket = try BlockingClient(port: port, timeout: 5)
        try socket.send(bytes)
        return socket
    }

    func testBadInternalFramesCloseOnlyThatConnectionAndKeysAreRequired() throws {
        let cluster = try ProbeCluster(environment: [
            "SECRET_KEY": "s3cret", "AUTH_TIMEOUT": "0.5", "GATEWAY_COUNT": "1",
        ])
        self.cluster = cluster
        XCTAssertTrue(cluster.waitUntilAnswering("v0:hello"), cluster.server.log)
        let client = try LineClient(port: cluster.textPort)
        clients.append(client)
        XCTAssertEqual(try client.ask("bind:u1"), "ok:bind:u1")
        let inner = cluster.startPort

        var push = GatewayFrame(.sendToUid, body: "intruder")
        push.extData = Array("[\"u1\"]".utf8)
        XCTAssertTrue(closedByServer(try raw(inner, push.encoded.readableBytesArray)), "unauthenticated")
        var short = [UInt8](repeating: 0, count: 28)
        short[3] = 10
        XCTAssertTrue(closedByServer(try raw(inner, short)), "a length below the header")
        let wrongKey = GatewayFrame(.gatewayClientConnect, body: "{\"secret_key\":\"nope\"}")
        XCTAssertTrue(closedByServer(try raw(inner, wrongKey.encoded.readableBytesArray)), "a wrong key")
        let rightKey = GatewayFrame(.gatewayClientConnect, body: "{\"secret_key\":\"s3cret\"}")
        let unknown = GatewayFrame(GatewayCommand(rawValue: 99))
        XCTAssertTrue(
            closedByServer(try raw(inner, rightKey.encoded.readableBytesArray + unknown.encoded.readableBytesArray)),
            "an unknown command")
        XCTAssertEqual(try client.ask("still"), "v0:still", "the client saw none of it and is still served")

        XCTAssertThrowsError(
            try GatewayClient(registerAddress: ["127.0.0.1:\(cluster.registerPort)"]).getAllClientIdCount())
        let api = GatewayClient(registerAddress: ["127.0.0.1:\(cluster.registerPort)"], secretKey: "s3cret")
        XCTAssertEqual(try api.getAllClientIdCount(), 1)
        try api.sendToUid("u1", "with-the-key")
        XCTAssertEqual(try client.receive(), "with-the-key")

        let register = cluster.registerPort
        XCTAssertTrue(closedByServer(try raw(register, Array("nonsense\n".utf8))), "a bad line")
        XCTAssertTrue(
            closedByServer(try raw(register, Array("{\"event\":\"worker_connect\",\"secret_key\":\"x\"}\n".utf8))))
        XCTAssertTrue(closedByServer(try BlockingClient(port: register, timeout: 5)), "silence past the auth timeout")
        let log = cluster.server.log
        for reason in [
            "unauthorized", "below the 28-byte header", "wrong secret key", "unknown command 99",
            "did not authenticate",
        ] {
            XCTAssertTrue(log.contains(reason), "logged: \(reason)\n\(log)")
        }
    }

    func testAnIPv6LanIpIsRefusedWithAClearError() {
        let gateway = Gateway("text://127.0.0.1:0")
        gateway.lanIp = "::1"
        XCTAssertThrowsError(try gateway.validate()) { error in
            XCTAssertTrue("\(error)".contains("not an IPv4 address"), "\(error)")
        }
        gateway.lanIp = "10.0.0.7"
        XCTAssertNoThrow(try gateway.validate())
    }
}
