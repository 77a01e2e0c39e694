import Glibc
import Workerman
import WorkermanTestSupport
import XCTest

@testable import WorkermanCore

/// Regressions for problems a code review found: each test failed before its fix.
final class ReviewRegressionTests: ServerTestCase {
    /// Loop rounds in `seconds` while nothing should happen: a handful when idle, thousands when a
    /// descriptor keeps waking the loop.
    private func idleRounds(for seconds: Double) -> Int {
        var rounds = 0
        let deadline = MonotonicClock.now() + UInt64(seconds * 1e9)
        while MonotonicClock.now() < deadline {
            EventLoop.current.runOnce(maxWait: 0.05)
            rounds += 1
        }
        return rounds
    }

    func testAPausedConnectionWhosePeerLeavesDoesNotSpinTheLoop() throws {
        var paused: [TcpConnection] = []
        var closes = 0
        let worker = try startWorker("text://127.0.0.1:0") { worker in
            worker.onConnect = { connection in
                connection.pauseRecv()
                paused.append(connection)
            }
            worker.onClose = { _ in closes += 1 }
        }
        let port = worker.port
        let finClient = try BlockingClient(port: port)
        let resetClient = try BlockingClient(port: port)
        XCTAssertTrue(spinLoop(timeout: 5) { paused.count == 2 })
        finClient.shutdownWrite()
        resetClient.reset()
        XCTAssertLessThan(idleRounds(for: 0.3), 50, "the loop must not spin on the hang-ups")
        XCTAssertEqual(closes, 1, "the reset connection is closed at once")
        for connection in paused { connection.resumeRecv() }
        XCTAssertTrue(spinLoop(timeout: 5) { closes == 2 }, "the half-closed one is closed once it reads again")
        finClient.close()
    }

    func testDestroyCancelsAScheduledReconnect() throws {
        let server = try startWorker("text://127.0.0.1:0")
        let client = try AsyncTcpConnection("text://127.0.0.1:\(server.port)")
        client.reconnect(after: 0.05)
        client.destroy()
        _ = spinLoop(timeout: 0.3) { false }
        XCTAssertEqual(client.state, .closed, "no zombie connection after destroy")
        XCTAssertTrue(server.connections.isEmpty)
    }

    func testSendingFromOnMessageAfterReconnectDoesNotCrash() throws {
        let server = try startWorker("text://127.0.0.1:0") { worker in
            worker.onMessage = { connection, data in connection.send(data) }
        }
        var replies: [String] = []
        let client = try AsyncTcpConnection("text://127.0.0.1:\(server.port)")
        client.onConnect = { $0.send("first") }
        client.onMessage = { connection, data in
            replies.append(data.string)
            if data == "first" {
                connection.reconnect(after: 0.05)
                XCTAssertEqual(connection.send("second"), .queued, "kept for the next connection")
            }
        }
        client.connect()
        XCTAssertTrue(spinLoop(timeout: 5) { replies == ["first", "second"] || replies.count > 2 })
        XCTAssertEqual(Array(replies.prefix(2)), ["first", "second"])
        client.destroy()
    }

    func testAnEncoderThatLooksAtItsConnectionWorksOnTheQueuedPath() throws {
        let worker = try startWorker("tcp://127.0.0.1:0") { worker in
            worker.protocol = SizeStampedLines.self
            worker.onMessage = { connection, data in connection.send(data) }
        }
        let port = worker.port
        XCTAssertTrue(
            try runWithClient {
                let client = try BlockingClient(port: port)
                try client.send("a\nb\nc\n")
                let replies = try client.receive(untilSuffix: "c\n")
                try check(replies.hasSuffix("c\n") && replies.contains("a\n"), "replies: \(replies)")
            })
    }

    func testAPipelinedBatchIsWrittenAtOnceWithoutWaitingForWritable() throws {
        var results: [SendResult] = []
        var drains = 0
        var connection: TcpConnection?
        let worker = try startWorker("text://127.0.0.1:0") { worker in
            worker.onMessage = { sender, data in
                connection = sender
                results.append(sender.send(data))
            }
            worker.onBufferDrain = { _ in drains += 1 }
        }
        let port = worker.port
        XCTAssertTrue(
            try runWithClient {
                let client = try BlockingClient(port: port)
                try client.send("a\nb\nc\n")
                try checkEqual(try client.receive(untilSuffix: "c\n"), "a\nb\nc\n", "replies")
            })
        XCTAssertEqual(results, [.queued, .queued, .written], "the last reply writes the whole batch")
        XCTAssertEqual(connection?.sendBufferSize, 0)
        XCTAssertFalse(connection?.isWaitingForWritable ?? true)
        XCTAssertEqual(drains, 0, "nothing waited for the kernel")
    }

    func testTheSendQueueDoesNotGrowWhileLittleIsQueued() throws {
        var fds: [Int32] = [0, 0]
        XCTAssertEqual(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds), 0)
        defer {
            close(fds[0])
            close(fds[1])
        }
        try Sys.setNonBlocking(fds[0])
        var queue = SendQueue()
        var drainBuffer = [UInt8](repeating: 0, count: 1 << 20)
        var chunk = ByteBuffer(capacity: 1000)
        // A producer as fast as its reader: the queue never empties, but never holds much either.
        for _ in 0..<20_000 {
            chunk.clear()
            chunk.writeBytes([UInt8](repeating: 7, count: 1000))
            queue.append(copying: &chunk)
            _ = try queue.flush(to: fds[0])
            _ = drainBuffer.withUnsafeMutableBytes { recv(fds[1], $0.baseAddress, 900, Int32(MSG_DONTWAIT)) }
        }
        XCTAssertLessThan(queue.storedCapacity, 4 * SendQueue.coalesceLimit + queue.byteCount)
    }
}

/// A line protocol whose encoder reads its connection's send-buffer size, as some real encoders
/// consult connection state.
private enum SizeStampedLines: TextFramed {
    static func encode(_ message: Message, connection: Connection, into buffer: inout ByteBuffer) throws {
        _ = (connection as? TcpConnection)?.sendBufferSize
        try Text.encode(message, connection: connection, into: &buffer)
    }
}
