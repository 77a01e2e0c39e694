import Workerman
import WorkermanTestSupport
import XCTest

/// onClose runs exactly once per connection, whichever way it ends.
final class CloseTests: ServerTestCase {
    private var closes: [Int: Int] = [:]

    private func countingWorker(_ onMessage: @escaping (Connection, Message) -> Void = { _, _ in }) throws -> Worker {
        try startWorker("text://127.0.0.1:0") { worker in
            worker.onMessage = onMessage
            worker.onClose = { [unowned self] connection in
                closes[connection.id, default: 0] += 1
                // Closing again from inside onClose must not run it again.
                connection.close()
                connection.destroy()
            }
        }
    }

    func testPeerFinAndPeerReset() throws {
        let worker = try countingWorker { connection, data in connection.send(data) }
        let port = worker.port
        XCTAssertTrue(
            try runWithClient {
                let polite = try BlockingClient(port: port)
                try polite.send("x\n")
                _ = try polite.receive(untilSuffix: "\n")
                polite.close()
                let rude = try BlockingClient(port: port)
                try rude.send("y\n")
                _ = try rude.receive(untilSuffix: "\n")
                rude.reset()
            })
        XCTAssertTrue(spinLoop(timeout: 5) { self.closes.count == 2 })
        XCTAssertEqual(Array(closes.values), [1, 1])
        XCTAssertTrue(worker.connections.isEmpty)
    }

    func testLocalCloseDestroyAndCloseWithPendingData() throws {
        let big = [UInt8](repeating: 1, count: 4 * 1024 * 1024)
        let worker = try countingWorker { connection, data in
            switch data.string {
            case "close": connection.close("closing")
            case "destroy": connection.destroy()
            default:
                connection.send(big)
                connection.close()
                connection.close()
                connection.destroy()
            }
        }
        let port = worker.port
        XCTAssertTrue(
            try runWithClient {
                for command in ["close", "destroy", "flush"] {
                    let client = try BlockingClient(port: port)
                    try client.send(command + "\n")
                    _ = try client.receiveUntilClosed()
                }
            })
        XCTAssertTrue(spinLoop(timeout: 5) { self.closes.count == 3 })
        XCTAssertEqual(Array(closes.values), [1, 1, 1])
    }

    func testPeerResetWhileAPendingCloseWaitsToFlush() throws {
        let big = [UInt8](repeating: 1, count: 8 * 1024 * 1024)
        let worker = try countingWorker { connection, _ in
            connection.send(big)
            connection.close()
        }
        let port = worker.port
        XCTAssertTrue(
            try runWithClient {
                let client = try BlockingClient(port: port)
                client.setReceiveBuffer(16 * 1024)
                try client.send("go\n")
                usleep(100_000)
                client.reset()
            })
        XCTAssertTrue(spinLoop(timeout: 5) { self.closes.count == 1 })
        EventLoop.current.runOnce(maxWait: 0.05)
        XCTAssertEqual(Array(closes.values), [1])
    }

    func testFailedConnectReportsErrorThenCloseOnce() throws {
        let unused = try BlockingListener()
        let port = unused.port
        unused.close()  // nothing listens there now
        var events: [String] = []
        let client = try AsyncTcpConnection("tcp://127.0.0.1:\(port)")
        client.onConnect = { _ in events.append("connect") }
        client.onError = { _, code, message in events.append("error \(code.rawValue): \(message)") }
        client.onClose = { _ in events.append("close") }
        client.connect()
        XCTAssertTrue(spinLoop(timeout: 5) { events.contains("close") })
        EventLoop.current.runOnce(maxWait: 0.05)
        XCTAssertEqual(events, ["error 1: connect to tcp://127.0.0.1:\(port) failed: Connection refused", "close"])
    }

    func testStatisticsCountOpenConnections() throws {
        let before = ConnectionStatistics.connectionCount
        var during = -1
        let worker = try countingWorker { connection, _ in
            during = ConnectionStatistics.connectionCount
            connection.close()
        }
        let port = worker.port
        XCTAssertTrue(
            try runWithClient {
                let client = try BlockingClient(port: port)
                try client.send("x\n")
                _ = try client.receiveUntilClosed()
            })
        XCTAssertEqual(during, before + 1)
        XCTAssertEqual(ConnectionStatistics.connectionCount, before)
    }
}
