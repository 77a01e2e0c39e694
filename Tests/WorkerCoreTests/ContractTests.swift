import Workerman
import WorkermanTestSupport
import XCTest

/// Numbers the lines of each connection on its own: the state a protocol keeps per connection.
enum NumberedLines: StatefulWireProtocol {
    static func makeState(for connection: Connection) -> Int { 0 }

    static func input(_ buffer: ByteView, state: inout Int, connection: Connection) -> InputResult {
        buffer.firstIndex(of: UInt8(ascii: "\n")).map { .packet(length: $0 + 1) } ?? .needMore
    }

    static func decode(_ packet: ByteView, state: inout Int, connection: Connection) throws -> Message? {
        state += 1
        return .text("\(state): \(packet.slice(0..<packet.count - 1).string)")
    }

    static func encode(_ message: Message, state: inout Int, connection: Connection, into buffer: inout ByteBuffer) {
        message.writeRaw(into: &buffer)
        buffer.writeInteger(UInt8(ascii: "\n"))
    }
}

/// The protocol contract as applications see it: typed connections in callbacks, state per
/// connection, protocol changes.
final class ContractTests: ServerTestCase {
    func testOnMessageHandsTheConnectionThatOnConnectSaw() throws {
        var byId: [Int: TcpConnection] = [:]
        var sameObject = false
        let worker = try startWorker("text://127.0.0.1:0") { worker in
            worker.onConnect = { connection in byId[connection.id] = connection }
            worker.onMessage = { connection, data in
                sameObject = byId[connection.id] === connection
                byId[connection.id] = connection  // a TcpConnection: stored with no cast
                connection.send("ok \(data)")
            }
        }
        let port = worker.port
        XCTAssertTrue(
            try runWithClient {
                let client = try BlockingClient(port: port)
                try client.send("hi\n")
                try checkEqual(try client.receive(untilSuffix: "\n"), "ok hi\n", "reply")
            })
        XCTAssertTrue(sameObject)
        XCTAssertEqual(byId.count, 1)
    }

    func testAnAsyncConnectionsCallbacksHandItselfSoOnCloseCanReconnect() throws {
        var accepted = 0
        let worker = try startWorker("text://127.0.0.1:0") { worker in
            worker.onConnect = { connection in
                accepted += 1
                connection.close("bye")
            }
        }
        var closes = 0
        var messages: [String] = []
        let client = try AsyncTcpConnection("text://127.0.0.1:\(worker.port)")
        client.onMessage = { connection, data in
            messages.append("\(data) \(connection.remoteURL)")  // an AsyncTcpConnection's own property
        }
        client.onClose = { connection in
            closes += 1
            if closes < 2 { connection.reconnect(after: 0.01) }  // no cast
        }
        client.connect()
        XCTAssertTrue(spinLoop(timeout: 10) { closes == 2 })
        XCTAssertEqual(accepted, 2)
        XCTAssertEqual(messages, Array(repeating: "bye text://127.0.0.1:\(worker.port)", count: 2))
    }

    func testAStatefulProtocolKeepsOneStatePerConnection() throws {
        var states: [Int] = []
        let worker = try startWorker("tcp://127.0.0.1:0") { worker in
            worker.protocol = NumberedLines.self
            worker.onMessage = { connection, data in
                states.append(connection.protocolState(of: NumberedLines.self) ?? -1)
                connection.send(data)
            }
        }
        let port = worker.port
        XCTAssertTrue(
            try runWithClient {
                let first = try BlockingClient(port: port)
                let second = try BlockingClient(port: port)
                try first.send("a\nb\n")
                try checkEqual(try first.receive(untilSuffix: "2: b\n"), "1: a\n2: b\n", "first connection")
                try second.send("c\n")
                try checkEqual(try second.receive(untilSuffix: "\n"), "1: c\n", "second connection counts alone")
            })
        XCTAssertEqual(states, [1, 2, 1])
        XCTAssertEqual(
            WireProtocolVerifier.verify(NumberedLines.self, input: Array("x\ny\n".utf8), expecting: ["1: x", "2: y"]),
            [])
    }

    /// Issue 16 item 9: an HTTP connection switched to another protocol in onConnect used to stay
    /// registered (unowned) with the HTTP timeout sweep after it was freed, and the sweep trapped.
    func testAProtocolChangedInOnConnectLeavesNothingBehind() throws {
        let worker = try startWorker("http://127.0.0.1:0") { worker in
            worker.http.keepAliveTimeout = 1
            worker.onConnect = { connection in connection.protocol = Text.self }
            worker.onMessage = { connection, data in connection.send("text \(data)") }
        }
        let port = worker.port
        XCTAssertTrue(
            try runWithClient {
                let client = try BlockingClient(port: port)
                try client.send("GET / HTTP/1.1\n")
                try checkEqual(try client.receive(untilSuffix: "\n"), "text GET / HTTP/1.1\n", "spoken as text")
                client.close()
            })
        XCTAssertTrue(spinLoop(timeout: 5) { worker.connections.isEmpty })
        // The deadline sweep runs every second: let it run twice after the connection is gone.
        _ = spinLoop(timeout: 2.5) { false }
        XCTAssertTrue(worker.connections.isEmpty)
    }

    /// A udp Worker's datagrams go to onDatagram with a UdpConnection (DatagramAndUnixTests echoes
    /// through it); one that sets only onMessage is told so when it listens.
    func testAUdpWorkerWithOnlyOnMessageIsRefused() throws {
        let wrong = Worker("udp://127.0.0.1:0")
        wrong.onMessage = { _, _ in }
        XCTAssertThrowsError(try wrong.listen()) { error in
            XCTAssertTrue("\(error)".contains("onDatagram"), "\(error)")
        }
    }

    func testARawTextServerKeepsSilentConnectionsUnlessItSetsAnIdleTimeout() throws {
        let keeping = try startWorker("text://127.0.0.1:0") { worker in
            worker.onMessage = { connection, data in connection.send(data) }
        }
        let closing = try startWorker("text://127.0.0.1:0") { worker in
            worker.idleTimeout = 1
            worker.onMessage = { connection, data in connection.send(data) }
        }
        let (keepingPort, closingPort) = (keeping.port, closing.port)
        XCTAssertTrue(
            try runWithClient(timeout: 30) {
                let quiet = try BlockingClient(port: keepingPort, timeout: 10)
                let idle = try BlockingClient(port: closingPort, timeout: 10)
                try idle.send("one\n")
                try checkEqual(try idle.receive(untilSuffix: "\n"), "one\n", "answered")
                try checkEqual(try idle.receiveAll(), "", "then closed once silent for idleTimeout")
                try quiet.send("still\n")
                try checkEqual(try quiet.receive(untilSuffix: "\n"), "still\n", "a silent push connection stays")
            })
    }
}
