import Foundation
import Workerman
import WorkermanTestSupport
import XCTest

/// Issue 16 item 5: the WebSocket opening handshake has a deadline, and its 16 KiB head limit holds
/// however the head arrives.
final class WebSocketDeadlineTests: WebSocketServerTestCase {
    private static let upgrade =
        "GET /chat HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"

    func testAHandshakeHeadOverSixteenKilobytesInOneWriteIsRefused() throws {
        let (_, port) = try startServer()
        let padding = "X-Padding: " + String(repeating: "p", count: 65_000 - Self.upgrade.utf8.count - 15) + "\r\n\r\n"
        XCTAssertTrue(
            try runWithClient {
                let client = try BlockingClient(port: port)
                try client.send(Self.upgrade + padding)  // one write of 65,000 bytes
                let reply = try client.receiveAll()
                try check(reply.hasPrefix("HTTP/1.1 431"), "refused: \(reply.prefix(80))")
                let fits = try BlockingClient(port: port)
                try fits.send(Self.upgrade + "X-Padding: " + String(repeating: "p", count: 10_000) + "\r\n\r\n")
                let accepted = try fits.receive(untilSuffix: "\r\n\r\n")
                try check(accepted.hasPrefix("HTTP/1.1 101"), "a head under the limit upgrades: \(accepted)")
            })
    }

    func testAnUnfinishedHandshakeGets408AtTheHandshakeTimeout() throws {
        let (_, port) = try startServer { worker in worker.webSocket.handshakeTimeout = 1 }
        XCTAssertTrue(
            try runWithClient(timeout: 30) {
                let silent = try BlockingClient(port: port, timeout: 10)
                let partial = try BlockingClient(port: port, timeout: 10)
                try partial.send(Self.upgrade)  // the head never ends
                for client in [silent, partial] {
                    let reply = try client.receiveAll()  // throws if still open after 10 s
                    try check(reply.hasPrefix("HTTP/1.1 408"), "timed out: \(reply)")
                }
                let prompt = try WebSocketTestClient(port: port)
                try prompt.handshake()
                Thread.sleep(forTimeInterval: 2.5)  // past the deadline, but the handshake is done
                try prompt.send(.text("still here"))
                try checkEqual(try prompt.receive(), .text("still here"), "an open WebSocket is not timed out")
            })
    }
}
