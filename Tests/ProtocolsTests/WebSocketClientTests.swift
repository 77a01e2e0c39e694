import Workerman
import WorkermanTestSupport
import XCTest

/// The `ws://` client against our own `websocket://` server, both on this process's loop.
final class WebSocketClientTests: WebSocketServerTestCase {
    func testHandshakeEchoHeadersAndSendsMadeBeforeTheHandshake() throws {
        nonisolated(unsafe) var serverSawHeader: String?
        let (_, port) = try startServer { worker in
            worker.webSocket.perMessageDeflate = true
            worker.onWebSocketConnect = { _, request, response in
                serverSawHeader = request.header("X-Token")
                response.subprotocol = "v2"
            }
        }
        let connection = try client("ws://127.0.0.1:\(port)/path?q=1")
        connection.webSocket.headers = [(name: "X-Token", value: "abc")]
        connection.webSocket.subprotocols = ["v1", "v2"]
        connection.webSocket.perMessageDeflate = true
        var received: [Message] = []
        var response: WebSocketResponse?
        connection.webSocket.onWebSocketResponse = { _, head in response = head }
        connection.onConnect = { connection in
            connection.send("early text")
            connection.send([1, 2, 3])
        }
        connection.onMessage = { _, data in received.append(data) }
        connection.connect()
        XCTAssertTrue(spinLoop(timeout: 10) { received.count == 2 })
        XCTAssertEqual(received, [.text("early text"), .binary([1, 2, 3])])
        XCTAssertEqual(serverSawHeader, "abc")
        XCTAssertEqual(response?.status, 101)
        XCTAssertEqual(connection.webSocket.subprotocol, "v2")
        XCTAssertEqual(response?.header("Sec-WebSocket-Extensions")?.hasPrefix("permessage-deflate"), true)
        let large = String(repeating: "compressible ", count: 50_000)
        connection.send(large)
        XCTAssertTrue(spinLoop(timeout: 10) { received.count == 3 })
        XCTAssertEqual(received.last, .text(large))
    }

    func testAWrongAcceptValueFailsTheConnection() throws {
        let listener = try BlockingListener()
        let connection = try client("ws://127.0.0.1:\(listener.port)/")
        var errors: [String] = []
        var closed = false
        connection.onError = { _, code, message in errors.append("\(code) \(message)") }
        connection.onClose = { _ in closed = true }
        connection.connect()
        let server = Background {
            let peer = try listener.accept()
            _ = try peer.receive(untilSuffix: "\r\n\r\n")
            try peer.send(
                "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Accept: AAAAAAAAAAAAAAAAAAAAAAAAAAA=\r\n\r\n")
            _ = try peer.receiveUntilClosed()
        }
        XCTAssertTrue(spinLoop(timeout: 10) { closed && server.isFinished })
        XCTAssertEqual(errors.count, 1)
        XCTAssertTrue(errors.first?.contains("Sec-WebSocket-Accept") ?? false, "\(errors)")
        XCTAssertNil(server.error)
    }

    func testTheClientMasksPingsAndReconnects() throws {
        var pongs = 0
        var connects = 0
        let (worker, port) = try startServer { worker in
            worker.webSocket.onWebSocketPing = { _, _ in pongs += 1 }
            worker.onConnect = { _ in connects += 1 }
        }
        let connection = try client("ws://127.0.0.1:\(port)/")
        connection.webSocket.pingInterval = 0.05
        var received: [String] = []
        var attempts = 0
        connection.onConnect = { connection in
            attempts += 1
            connection.send("hello \(attempts)")
        }
        connection.onMessage = { _, data in received.append(data.string) }
        connection.onClose = { $0.reconnect(after: 0.05) }
        connection.connect()
        XCTAssertTrue(spinLoop(timeout: 10) { received.count == 1 && pongs >= 2 })
        for server in worker.connections.values { server.webSocket.close(code: 1001) }
        XCTAssertTrue(spinLoop(timeout: 10) { received.count == 2 })
        XCTAssertEqual(received, ["hello 1", "hello 2"])
        XCTAssertEqual(connects, 2)
    }
}
