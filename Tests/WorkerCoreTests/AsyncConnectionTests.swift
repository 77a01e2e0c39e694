import Workerman
import WorkermanTestSupport
import XCTest

final class AsyncConnectionTests: ServerTestCase {
    func testSendsMadeWhileConnectingAreDeliveredAfterConnect() throws {
        let server = try startWorker("text://127.0.0.1:0") { worker in
            worker.onMessage = { connection, data in connection.send("echo: \(data)") }
        }
        var events: [String] = []
        let client = try AsyncTcpConnection("text://127.0.0.1:\(server.port)")
        client.onConnect = { connection in
            events.append("connect")
            connection.send("from onConnect")
        }
        client.onMessage = { _, data in events.append(data.string) }
        client.connect()
        XCTAssertEqual(client.state, .connecting)
        XCTAssertEqual(client.send("before connect"), .queued)
        XCTAssertTrue(spinLoop(timeout: 5) { events.count == 3 })
        XCTAssertEqual(events, ["connect", "echo: before connect", "echo: from onConnect"])
        client.close()
    }

    func testReconnectAfterTheServerClosesAndAfterFailures() throws {
        var accepted = 0
        let server = try startWorker("text://127.0.0.1:0") { worker in
            worker.onConnect = { connection in
                accepted += 1
                if accepted == 1 { connection.close("go away") }
            }
            worker.onMessage = { connection, data in connection.send(data) }
        }
        var events: [String] = []
        let client = try AsyncTcpConnection("text://127.0.0.1:\(server.port)")
        client.onConnect = { _ in events.append("connect") }
        client.onMessage = { connection, data in
            events.append(data.string)
            if data == "go away" { return }
            connection.close()
        }
        client.onClose = { connection in
            events.append("close")
            if events.filter({ $0 == "close" }).count == 1 {
                connection.reconnect(after: 0.05)
            }
        }
        client.onConnect = { connection in
            events.append("connect")
            if accepted >= 1 { connection.send("second life") }
        }
        client.connect()
        XCTAssertTrue(spinLoop(timeout: 5) { events.filter { $0 == "close" }.count == 2 })
        XCTAssertEqual(events, ["connect", "go away", "close", "connect", "second life", "close"])

        // Against a port where nothing listens: every attempt fails and reconnect keeps trying.
        let unused = try BlockingListener()
        let port = unused.port
        unused.close()
        var attempts = 0
        let failing = try AsyncTcpConnection("tcp://127.0.0.1:\(port)")
        failing.onError = { _, code, _ in XCTAssertEqual(code, .connectFail) }
        failing.onClose = { connection in
            attempts += 1
            if attempts < 3 { connection.reconnect(after: 0.01) }
        }
        failing.connect()
        XCTAssertTrue(spinLoop(timeout: 5) { attempts == 3 })
    }

    func testUnknownSchemeIsAClearError() {
        XCTAssertThrowsError(try AsyncTcpConnection("nosuch://127.0.0.1:1")) { error in
            XCTAssertTrue("\(error)".contains("unknown protocol 'nosuch'"), "\(error)")
        }
        XCTAssertThrowsError(try AsyncTcpConnection("tcp://127.0.0.1:99999")) { error in
            XCTAssertTrue("\(error)".contains("out of range"), "\(error)")
        }
    }

    func testPipeMovesOneHundredMegabytesWithBoundedBuffers() throws {
        let sink = try BlockingListener()
        let sinkPort = sink.port
        var upstreams: [TcpConnection] = []
        let proxy = try startWorker("tcp://127.0.0.1:0") { worker in
            worker.onConnect = { client in
                let upstream = try! AsyncTcpConnection("tcp://127.0.0.1:\(sinkPort)")
                client.pipe(to: upstream)
                upstream.pipe(to: client)
                upstream.connect()
                upstreams.append(upstream)
            }
        }
        let proxyPort = proxy.port
        let total = 100 * 1024 * 1024
        let received = Shared(0)
        let sinkThread = Background {
            let connection = try sink.accept(timeout: 10)
            usleep(300_000)  // a slow start, so the proxy must hold back
            received.value = try connection.receiveUntilClosed().bytes
        }
        let sourceThread = Background {
            let client = try BlockingClient(port: proxyPort, timeout: 20)
            let chunk = [UInt8](repeating: 0x5a, count: 1024 * 1024)
            for _ in 0..<(total / chunk.count) { try client.send(chunk) }
            client.close()
        }
        var largestQueue = 0
        let finished = spinLoop(timeout: 60) {
            for upstream in upstreams { largestQueue = max(largestQueue, upstream.sendBufferSize) }
            return sinkThread.isFinished && sourceThread.isFinished
        }
        XCTAssertTrue(finished)
        XCTAssertNil(sinkThread.error)
        XCTAssertNil(sourceThread.error)
        XCTAssertEqual(received.value, total)
        XCTAssertGreaterThan(largestQueue, 0, "the sink's slow start made the proxy queue")
        XCTAssertLessThanOrEqual(
            largestQueue, TcpConnection.defaultMaxSendBufferSize + 4 * 1024 * 1024, "flow control bounds the queue")
    }
}

extension AsyncConnectionTests {
    func testBindToChoosesTheLocalAddressOfAnOutgoingConnection() throws {
        var seenPorts: [Int] = []
        let server = try startWorker("text://127.0.0.1:0") { worker in
            worker.onConnect = { seenPorts.append($0.getRemotePort()) }
        }
        let reserved = try BlockingListener()
        let localPort = reserved.port
        reserved.close()
        let client = try AsyncTcpConnection("text://127.0.0.1:\(server.port)", bindTo: "127.0.0.1:\(localPort)")
        var connected = false
        client.onConnect = { _ in connected = true }
        client.connect()
        XCTAssertTrue(spinLoop(timeout: 5) { connected && !seenPorts.isEmpty })
        XCTAssertEqual(seenPorts, [localPort])
        XCTAssertEqual(client.getLocalPort(), localPort)
        client.close()
    }
}
