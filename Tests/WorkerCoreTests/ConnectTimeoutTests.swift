import Workerman
import WorkermanTestSupport
import XCTest

/// `AsyncTcpConnection.connectTimeout`: a connect or outgoing TLS handshake that hangs fails with
/// `.connectFail` then `onClose`, and leaves no timer behind.
final class ConnectTimeoutTests: ServerTestCase {
    /// Records the callbacks of `connection` as strings.
    private func record(_ connection: AsyncTcpConnection) -> Shared<[String]> {
        let events = Shared<[String]>([])
        connection.onConnect = { _ in events.value.append("connect") }
        connection.onError = { _, code, message in events.value.append("error \(code) \(message)") }
        connection.onClose = { _ in events.value.append("close") }
        return events
    }

    func testAConnectToAFullAcceptQueueTimesOutThenReconnectWorks() throws {
        let timersBefore = Timer.count
        let listener = try BlockingListener(backlog: 0)
        // One connection the listener never accepts fills its queue: later SYNs are dropped.
        let filler = try AsyncTcpConnection("tcp://127.0.0.1:\(listener.port)")
        filler.connectTimeout = 0
        filler.connect()
        XCTAssertTrue(spinLoop(timeout: 5) { filler.state == .established })

        let client = try AsyncTcpConnection("tcp://127.0.0.1:\(listener.port)")
        client.connectTimeout = 0.5
        let events = record(client)
        client.onClose = { connection in
            events.value.append("close")
            if events.value.count == 2 { connection.reconnect(after: 0.2) }  // Workerman's reConnect
        }
        client.connect()
        XCTAssertTrue(spinLoop(timeout: 10) { events.value.contains("close") }, "\(events.value)")
        XCTAssertEqual(
            events.value,
            ["error connectFail connect to 127.0.0.1:\(listener.port) timed out after 0.5 s", "close"])

        // Room in the queue again before the reconnect runs: it gets through, and no late timeout follows.
        let accepted = try listener.accept()
        XCTAssertEqual(Timer.count, timersBefore + 1)  // the reconnect's
        XCTAssertTrue(spinLoop(timeout: 10) { events.value.count == 3 }, "\(events.value)")
        XCTAssertEqual(events.value.last, "connect")
        XCTAssertEqual(Timer.count, timersBefore)
        _ = spinLoop(timeout: 0.8) { false }
        XCTAssertEqual(events.value.count, 3, "\(events.value)")
        XCTAssertEqual(client.state, .established)
        client.close()
        filler.close()
        accepted.close()
    }

    func testATLSHandshakeThePeerNeverAnswersTimesOut() throws {
        let timersBefore = Timer.count
        let listener = try BlockingListener()  // completes TCP connects, never answers the ClientHello
        let client = try AsyncTcpConnection("ssl://127.0.0.1:\(listener.port)")
        client.connectTimeout = 0.5
        let events = record(client)
        client.connect()
        let peer = try listener.accept(timeout: 10)
        XCTAssertTrue(spinLoop(timeout: 10) { events.value.contains("close") }, "\(events.value)")
        XCTAssertEqual(
            events.value,
            ["error connectFail connect to 127.0.0.1:\(listener.port) timed out after 0.5 s", "close"])
        XCTAssertEqual(Timer.count, timersBefore)
        peer.close()
    }

    func testASuccessfulConnectLeavesNoTimer() throws {
        let server = try startWorker("text://127.0.0.1:0")
        let timersBefore = Timer.count
        let client = try AsyncTcpConnection("text://127.0.0.1:\(server.port)")
        let events = record(client)
        client.connect()
        XCTAssertEqual(Timer.count, timersBefore + 1)
        XCTAssertTrue(spinLoop(timeout: 10) { events.value == ["connect"] }, "\(events.value)")
        XCTAssertEqual(Timer.count, timersBefore)

        // Destroyed while connecting: its timer goes too.
        let abandoned = try AsyncTcpConnection("text://127.0.0.1:\(server.port)")
        abandoned.connect()
        XCTAssertEqual(Timer.count, timersBefore + 1)
        abandoned.destroy()
        XCTAssertEqual(Timer.count, timersBefore)
        client.close()
    }
}
