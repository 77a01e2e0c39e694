import Workerman
import WorkermanTestSupport
import XCTest

final class SendBufferTests: ServerTestCase {
    private let eightMiB = [UInt8](repeating: 0x61, count: 8 * 1024 * 1024)

    func testSendReturnsWrittenQueuedAndFailed() throws {
        var results: [SendResult] = []
        var errors: [String] = []
        var events: [String] = []
        let big = eightMiB
        let worker = try startWorker("tcp://127.0.0.1:0") { worker in
            worker.onConnect = { connection in
                results.append(connection.send("small", raw: true))  // empty buffer, kernel takes it
                results.append(connection.send(big))  // more than the kernel takes: the rest waits
                results.append(connection.send("dropped"))  // buffer over its limit: dropped
                XCTAssertEqual(connection.state, .established, "a dropped send does not close")
            }
            worker.onError = { _, code, message in errors.append("\(code.rawValue) \(message)") }
            worker.onBufferFull = { _ in events.append("full") }
            worker.onBufferDrain = { connection in
                events.append("drain")
                connection.close()
                results.append(connection.send("after close"))
            }
        }
        let port = worker.port
        let total = big.count + 5
        XCTAssertTrue(
            try runWithClient {
                let client = try BlockingClient(port: port, timeout: 10)
                client.setReceiveBuffer(64 * 1024)
                usleep(200_000)  // let the server's buffer fill while nobody reads
                let (bytes, reset) = try client.receiveUntilClosed()
                try checkEqual(bytes, total, "bytes before close")
                try checkEqual(reset, false, "closed by reset")
            })
        XCTAssertEqual(results, [.written, .queued, .failed, .failed])
        XCTAssertEqual(errors, ["2 send buffer full and drop package"])
        XCTAssertEqual(events, ["full", "drain"])
    }

    func testBufferFullThenDrainWhileTheReaderStopsAndResumes() throws {
        var events: [String] = []
        var sent = 0
        let chunk = [UInt8](repeating: 0x62, count: 64 * 1024)
        let worker = try startWorker("tcp://127.0.0.1:0") { worker in
            worker.onConnect = { connection in
                connection.maxSendBufferSize = 256 * 1024
                // Keep sending until the buffer is full, as a well-behaved producer does.
                func produce() {
                    while connection.state == .established && connection.sendBufferSize < connection.maxSendBufferSize {
                        connection.send(chunk)
                        sent += chunk.count
                    }
                }
                connection.onBufferFull = { _ in events.append("full at \(connection.sendBufferSize >= 256 * 1024)") }
                connection.onBufferDrain = { connection in
                    events.append("drain")
                    connection.close()
                }
                produce()
            }
        }
        let port = worker.port
        let received = Shared(0)
        XCTAssertTrue(
            try runWithClient {
                let client = try BlockingClient(port: port, timeout: 10)
                client.setReceiveBuffer(32 * 1024)
                usleep(300_000)
                received.value = try client.receiveUntilClosed().bytes
            })
        XCTAssertEqual(events, ["full at true", "drain"])
        XCTAssertEqual(received.value, sent)
    }

    func testAPacketOverMaxPackageSizeClosesThatConnectionOnly() throws {
        var closed: [Int] = []
        let worker = try startWorker("text://127.0.0.1:0") { worker in
            worker.onConnect = { $0.maxPackageSize = 1000 }
            worker.onMessage = { connection, data in connection.send(data) }
            worker.onClose = { closed.append($0.id) }
        }
        let frames = try startWorker("frame://127.0.0.1:0") { worker in
            worker.onConnect = { $0.maxPackageSize = 1000 }
            worker.onMessage = { connection, data in connection.send(data) }
        }
        let (port, framePort) = (worker.port, frames.port)
        XCTAssertTrue(
            try runWithClient {
                let good = try BlockingClient(port: port)
                let bad = try BlockingClient(port: port)
                try bad.send(String(repeating: "x", count: 2000))
                try checkEqual(try bad.receiveUntilClosed().bytes, 0, "over-long line closes")
                try good.send("still here\n")
                try checkEqual(try good.receive(untilSuffix: "\n"), "still here\n", "other connection")

                let hugeFrame = try BlockingClient(port: framePort)
                try hugeFrame.send([0, 0, 0x10, 0])  // announces 4096 bytes
                try checkEqual(try hugeFrame.receiveUntilClosed().bytes, 0, "frame over maxPackageSize closes")
                let tinyFrame = try BlockingClient(port: framePort)
                try tinyFrame.send([0, 0, 0, 3])  // below its own header
                try checkEqual(try tinyFrame.receiveUntilClosed().bytes, 0, "frame length < 4 closes")
                let fine = try BlockingClient(port: framePort)
                try fine.send(frame([9]))
                try checkEqual(try fine.receive(count: 5), frame([9]), "valid frame")
            })
        XCTAssertEqual(closed.count, 1)
    }

    func testCloseWithDataDeliversItBeforeTheFin() throws {
        let worker = try startWorker("text://127.0.0.1:0") { worker in
            worker.onMessage = { connection, data in connection.close("bye \(data)") }
        }
        let port = worker.port
        XCTAssertTrue(
            try runWithClient {
                let client = try BlockingClient(port: port)
                try client.send("alice\n")
                try checkEqual(try client.receive(untilSuffix: "\n"), "bye alice\n", "last words")
                try checkEqual(try client.receiveUntilClosed().reset, false, "then FIN")
            })
    }

    func testCloseFlushesALargeQueueButDestroyDropsIt() throws {
        let big = eightMiB
        let worker = try startWorker("tcp://127.0.0.1:0") { worker in
            worker.onMessage = { connection, data in
                XCTAssertEqual(connection.send(big), .queued)
                if data.string.hasPrefix("close") { connection.close() } else { connection.destroy() }
            }
        }
        let port = worker.port
        let results = Shared<[Int]>([])
        XCTAssertTrue(
            try runWithClient {
                for command in ["close", "destroy"] {
                    let client = try BlockingClient(port: port, timeout: 10)
                    client.setReceiveBuffer(64 * 1024)
                    try client.send(command)
                    usleep(100_000)
                    let bytes = try client.receiveUntilClosed().bytes
                    results.modify { $0.append(bytes) }
                }
            })
        XCTAssertEqual(results.value.first, big.count, "close() writes everything first")
        XCTAssertLessThan(results.value.last ?? .max, big.count, "destroy() drops what is queued")
    }

    func testPausedConnectionsStopReceivingAndResumeWithBufferedPackets() throws {
        var delivered: [String] = []
        let worker = try startWorker("text://127.0.0.1:0") { worker in
            worker.onMessage = { connection, data in
                delivered.append(data.string)
                if data == "pause" {
                    connection.pauseRecv()
                    Timer.add(0.2, persistent: false) {
                        delivered.append("resumed")
                        connection.resumeRecv()
                    }
                }
                connection.send(data)
            }
        }
        let port = worker.port
        XCTAssertTrue(
            try runWithClient {
                let client = try BlockingClient(port: port)
                try client.send("pause\nqueued 1\nqueued 2\n")
                try checkEqual(
                    try client.receive(untilSuffix: "queued 2\n"), "pause\nqueued 1\nqueued 2\n", "after resume")
            })
        XCTAssertEqual(delivered, ["pause", "resumed", "queued 1", "queued 2"])
    }
}

/// A line protocol whose encode ends the connection after a "bye" (as HTTP does for Connection: close).
private enum ClosingLines: TextFramed {
    static func encode(_ message: Message, connection: Connection, into buffer: inout ByteBuffer) throws {
        try Text.encode(message, connection: connection, into: &buffer)
        if message == "bye" { (connection as? TcpConnection)?.closeAfterWriting() }
    }
}

extension SendBufferTests {
    func testAProtocolCanCloseTheConnectionFromEncode() throws {
        var closes = 0
        let worker = try startWorker("tcp://127.0.0.1:0") { worker in
            worker.protocol = ClosingLines.self
            worker.onMessage = { connection, data in
                connection.send(data)
                let state = connection.state
                XCTAssertEqual(state == .established, data != "bye", "closing once bye is encoded")
            }
            worker.onClose = { _ in closes += 1 }
        }
        let port = worker.port
        XCTAssertTrue(
            try runWithClient {
                let client = try BlockingClient(port: port)
                try client.send("hello\nbye\nnever answered\n")
                try checkEqual(try client.receive(untilSuffix: "bye\n"), "hello\nbye\n", "replies before the close")
                try checkEqual(try client.receiveUntilClosed().bytes, 0, "then FIN")
            })
        XCTAssertEqual(closes, 1)
    }
}
