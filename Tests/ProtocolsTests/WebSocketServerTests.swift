import Workerman
import WorkermanTestSupport
import XCTest

/// A `websocket://` Worker on a real socket, driven by a blocking raw client on a thread.
final class WebSocketServerTests: WebSocketServerTestCase {
    func testTheHookSeesTheRequestAndShapesTheResponse() throws {
        nonisolated(unsafe) var seen: WebSocketRequest?
        let (_, port) = try startServer { worker in
            worker.onWebSocketConnect = { connection, request, response in
                seen = request
                response.headers.append((name: "X-Server", value: "swift"))
                response.subprotocol = request.subprotocols.last
            }
        }
        XCTAssertTrue(
            try runWithClient {
                let client = try WebSocketTestClient(port: port)
                let head = try client.handshake(
                    path: "/chat?room=a%20b&x=1",
                    extraHeaders: "Cookie: sid=42; theme=dark\r\nSec-WebSocket-Protocol: chat, superchat\r\n")
                try check(head.hasPrefix("HTTP/1.1 101 Switching Protocols\r\n"), head)
                try check(head.contains("\r\nSec-WebSocket-Accept: \(WebSocketTestClient.sampleAccept)\r\n"), head)
                try check(head.contains("\r\nX-Server: swift\r\n"), head)
                try check(head.contains("\r\nSec-WebSocket-Protocol: superchat\r\n"), head)
                try client.send(.text("hi"))
                try checkEqual(try client.receive(), .text("hi"), "echo")
                client.close()
            })
        XCTAssertEqual(seen?.method, "GET")
        XCTAssertEqual(seen?.path, "/chat")
        XCTAssertEqual(seen?.query, ["room": "a b", "x": "1"])
        XCTAssertEqual(seen?.cookies, ["sid": "42", "theme": "dark"])
        XCTAssertEqual(seen?.header("host"), "127.0.0.1")
        XCTAssertTrue(seen?.remoteAddress.hasPrefix("127.0.0.1:") ?? false, seen?.remoteAddress ?? "none")
    }

    func testRejectionsAndBadRequestsGetHTTPErrors() throws {
        let (_, port) = try startServer { worker in
            worker.onWebSocketConnect = { _, request, response in
                if request.query["token"] != "good" { response.reject(status: 403, body: "no token") }
            }
        }
        XCTAssertTrue(
            try runWithClient {
                let rejected = try BlockingClient(port: port)
                try rejected.send(WebSocketTestClient.request(path: "/?token=bad"))
                let reply = try rejected.receiveAll()
                try check(reply.hasPrefix("HTTP/1.1 403 Forbidden\r\n") && reply.hasSuffix("\r\n\r\nno token"), reply)
                let oldVersion = try BlockingClient(port: port)
                try oldVersion.send(WebSocketTestClient.request(path: "/?token=good", version: "8"))
                let upgrade = try oldVersion.receiveAll()
                try check(
                    upgrade.hasPrefix("HTTP/1.1 426 ") && upgrade.contains("\r\nSec-WebSocket-Version: 13\r\n"), upgrade
                )
                let noKey = try BlockingClient(port: port)
                try noKey.send("GET /?token=good HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n")
                let bad = try noKey.receiveAll()
                try check(bad.hasPrefix("HTTP/1.1 400 Bad Request\r\n"), bad)
            })
    }

    func testTextStaysTextBinaryStaysBinaryAndSendsBeforeTheHandshakeArriveAfterIt() throws {
        let (_, port) = try startServer { worker in
            worker.onConnect = { connection in connection.send("sent in onConnect") }
        }
        XCTAssertTrue(
            try runWithClient {
                let client = try WebSocketTestClient(port: port)
                try client.handshake()
                try checkEqual(try client.receive(), .text("sent in onConnect"), "early send")
                try client.send(.init(opcode: 2, payload: [0, 1, 2, 255]))
                try checkEqual(try client.receive(), .init(opcode: 2, payload: [0, 1, 2, 255]), "binary echo")
                let big = String(repeating: "é", count: 100_000)
                try client.send(.text(big))
                try checkEqual(try client.receive(), .text(big), "large text echo")
                try client.send(.init(opcode: 9, payload: [7, 7]))
                try checkEqual(try client.receive(), .init(opcode: 10, payload: [7, 7]), "pong")
                try client.send(.close(1000, "done"))
                try checkEqual(try client.receiveClose(), 1000, "close echoed")
                try checkEqual(try client.socket.receiveUntilClosed().bytes, 0, "then the server closes")
            })
    }

    func testWebsocketTypeForcesTheFrameType() throws {
        let (_, port) = try startServer { worker in
            worker.onMessage = { connection, data in
                connection.webSocket.websocketType = .binary
                connection.send(data.string)
            }
        }
        XCTAssertTrue(
            try runWithClient {
                let client = try WebSocketTestClient(port: port)
                try client.handshake()
                try client.send(.text("as binary"))
                try checkEqual(try client.receive(), .init(opcode: 2, payload: Array("as binary".utf8)), "binary")
            })
    }

    func testAProtocolErrorClosesWith1002() throws {
        nonisolated(unsafe) var codeAtClose: UInt16?
        let (_, port) = try startServer { worker in
            worker.onClose = { connection in codeAtClose = connection.webSocket.closeCode }
        }
        XCTAssertTrue(
            try runWithClient {
                let client = try WebSocketTestClient(port: port)
                try client.handshake()
                try client.send(.text("unmasked"), mask: nil)
                try checkEqual(try client.receiveClose(), 1002, "close code")
                try checkEqual(try client.socket.receiveUntilClosed().bytes, 0, "closed")
            })
        XCTAssertTrue(spinLoop(timeout: 5) { codeAtClose != nil })
        XCTAssertEqual(codeAtClose, 1002)
    }

    func testBroadcastWritesOneFrameToEveryOpenConnection() throws {
        let (worker, port) = try startServer { worker in
            worker.onMessage = { _, _ in }
        }
        let ready = Shared(0)
        let clients = (0..<3).map { _ in
            Background {
                let client = try WebSocketTestClient(port: port)
                try client.handshake()
                try client.send(.text("ready"))
                ready.modify { $0 += 1 }
                try checkEqual(try client.receive(), .text("to all"), "broadcast")
            }
        }
        XCTAssertTrue(spinLoop(timeout: 10) { ready.value == 3 && worker.connections.count == 3 })
        spinLoop(timeout: 0.2) { false }
        XCTAssertEqual(WebSocket.broadcast("to all", to: worker.connections.values), 3)
        XCTAssertTrue(spinLoop(timeout: 10) { clients.allSatisfy(\.isFinished) })
        for client in clients { XCTAssertNil(client.error) }
    }

    func testHeartbeatPingsAndClosesIdleConnections() throws {
        let (_, port) = try startServer { worker in
            worker.webSocket.pingInterval = 0.05
            worker.webSocket.idleTimeout = 0.3
        }
        XCTAssertTrue(
            try runWithClient {
                let client = try WebSocketTestClient(port: port)
                try client.handshake()
                try checkEqual(try client.receive().opcode, 9, "a ping")
                try client.send(.init(opcode: 10))  // a pong keeps it alive for another 0.3 s
                var sawClose: UInt16?
                while sawClose == nil {
                    let frame = try client.receive()
                    if frame.opcode == 8 { sawClose = frame.closeCode }
                }
                try checkEqual(sawClose, 1001, "idle close")
            })
    }
}
