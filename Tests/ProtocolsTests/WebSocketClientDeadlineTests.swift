import Workerman
import WorkermanTestSupport
import XCTest

/// The `ws://` client's handshake deadline: a server that takes the TCP connection but never
/// answers the upgrade request fails the connection (`onError`, then `onClose`, where `reconnect`
/// works), and the deadline's timer never outlives the handshake.
final class WebSocketClientDeadlineTests: WebSocketServerTestCase {
    func testASilentServerFailsTheHandshakeWithATimeoutAndLeavesNoTimer() throws {
        let timersBefore = Timer.count
        let listener = try BlockingListener()
        let request = Shared("")
        let server = Background {
            let peer = try listener.accept(timeout: 20)
            request.value = try peer.receive(untilSuffix: "\r\n\r\n")
            _ = try peer.receiveUntilClosed()  // never answers; returns once the client gives up
        }
        let connection = try client("ws://127.0.0.1:\(listener.port)/silent")
        connection.webSocket.handshakeTimeout = 0.5
        var errors: [(code: ConnectionErrorCode, message: String)] = []
        var events: [String] = []
        connection.onError = { _, code, message in
            errors.append((code, message))
            events.append("error")
        }
        connection.onClose = { _ in events.append("close") }
        connection.connect()
        XCTAssertTrue(spinLoop(timeout: 30) { events.contains("close") && server.isFinished })
        XCTAssertNil(server.error)
        XCTAssertTrue(request.value.hasPrefix("GET /silent HTTP/1.1\r\n"), request.value)
        XCTAssertEqual(events, ["error", "close"])
        XCTAssertEqual(errors.count, 1)
        XCTAssertEqual(errors.first?.code, .connectFail)
        XCTAssertTrue(errors.first?.message.hasPrefix("websocket handshake timeout") ?? false, "\(errors)")
        XCTAssertEqual(connection.state, .closed)
        XCTAssertEqual(Timer.count, timersBefore, "the handshake timer outlived the connection")
    }

    func testATimedOutClientReconnectsFromOnClose() throws {
        let (worker, port) = try startServer()
        worker.pauseAccept()  // the kernel completes the TCP connection; nobody answers the upgrade
        let connection = try client("ws://127.0.0.1:\(port)/")
        connection.webSocket.handshakeTimeout = 0.5
        var errors: [String] = []
        var closes = 0
        var attempts = 0
        var received: [String] = []
        connection.onError = { _, _, message in errors.append(message) }
        connection.onConnect = { connection in
            attempts += 1
            connection.send("hello \(attempts)")  // held until the handshake completes
        }
        connection.onMessage = { _, data in received.append(data.string) }
        connection.onClose = { connection in
            closes += 1
            if closes == 1 {
                worker.resumeAccept()
                connection.reconnect()
            }
        }
        connection.connect()
        XCTAssertTrue(spinLoop(timeout: 30) { received.count == 1 })
        XCTAssertEqual(received, ["hello 2"])
        XCTAssertEqual(attempts, 2)
        XCTAssertEqual(closes, 1)
        XCTAssertEqual(errors.count, 1)
        XCTAssertTrue(errors.first?.hasPrefix("websocket handshake timeout") ?? false, "\(errors)")
        XCTAssertTrue(connection.webSocket.isOpen)
    }

    func testACompletedHandshakeLeavesNoTimer() throws {
        let (_, port) = try startServer()
        let first = try client("ws://127.0.0.1:\(port)/")
        first.connect()
        // The server's deadline sweep starts with its first connection: count the timers after it.
        XCTAssertTrue(spinLoop(timeout: 20) { first.webSocket.isOpen })
        let timersBefore = Timer.count
        let connection = try client("ws://127.0.0.1:\(port)/")
        connection.webSocket.handshakeTimeout = 30
        var timersDuringHandshake: Int?
        var echoed: String?
        connection.onConnect = { connection in
            timersDuringHandshake = Timer.count
            connection.send("ping")
        }
        connection.onMessage = { _, data in echoed = data.string }
        connection.connect()
        XCTAssertTrue(spinLoop(timeout: 20) { echoed != nil })
        XCTAssertEqual(echoed, "ping")
        XCTAssertEqual(timersDuringHandshake, timersBefore + 1, "the handshake deadline runs on a timer")
        XCTAssertEqual(Timer.count, timersBefore, "the handshake timer outlived the handshake")
        connection.webSocket.handshakeTimeout = 0
        connection.reconnect()
        XCTAssertTrue(spinLoop(timeout: 20) { connection.webSocket.isOpen })
        XCTAssertEqual(Timer.count, timersBefore, "no deadline timer with handshakeTimeout 0")
    }
}
