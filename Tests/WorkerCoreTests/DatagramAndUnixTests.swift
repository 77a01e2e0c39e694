import Glibc
import Workerman
import WorkermanTestSupport
import XCTest

final class DatagramAndUnixTests: ServerTestCase {
    func testUdpEcho() throws {
        var remoteIPs: [String] = []
        let worker = try startWorker("udp://127.0.0.1:0") { worker in
            worker.onDatagram = { connection, data in
                remoteIPs.append(connection.getRemoteIp())
                connection.send("echo \(data)")
            }
        }
        let port = worker.port
        XCTAssertTrue(
            try runWithClient {
                let client = DatagramClient(port: port)
                client.send("ping")
                try checkEqual(try client.receive(), "echo ping", "udp echo")
            })
        XCTAssertEqual(remoteIPs, ["127.0.0.1"])
    }

    func testTextProtocolOverUdpDeliversEveryLineOfADatagram() throws {
        var lines: [String] = []
        let worker = try startWorker("text://127.0.0.1:0") { worker in
            worker.transport = "udp"
            worker.onDatagram = { connection, data in
                lines.append(data.string)
                connection.send(data)
            }
        }
        let port = worker.port
        XCTAssertTrue(
            try runWithClient {
                let client = DatagramClient(port: port)
                client.send("one\ntwo\r\n")
                try checkEqual(try client.receive(), "one\n", "first reply")
                try checkEqual(try client.receive(), "two\n", "second reply")
            })
        XCTAssertEqual(lines, ["one", "two"])
    }

    func testAsyncUdpConnectionTalksToAUdpWorker() throws {
        let worker = try startWorker("udp://127.0.0.1:0") { worker in
            worker.onDatagram = { connection, data in connection.send("pong \(data)") }
        }
        var replies: [String] = []
        let client = try AsyncUdpConnection("udp://127.0.0.1:\(worker.port)")
        client.onConnect = { $0.send("ping") }
        client.onMessage = { _, data in replies.append(data.string) }
        try client.connect()
        XCTAssertTrue(spinLoop(timeout: 5) { !replies.isEmpty })
        XCTAssertEqual(replies, ["pong ping"])
        client.close()
    }

    func testUnixSocketEchoAndTheSocketFileIsRemovedOnUnlisten() throws {
        let path = "/tmp/workerman-test-\(getpid()).sock"
        let worker = try startWorker("unix://\(path)") { worker in
            worker.protocol = Text.self
            worker.onMessage = { connection, data in connection.send("unix \(data)") }
        }
        XCTAssertEqual(access(path, F_OK), 0, "socket file exists while listening")
        XCTAssertTrue(
            try runWithClient {
                let client = try BlockingClient(unixPath: path)
                try client.send("hello\n")
                try checkEqual(try client.receive(untilSuffix: "\n"), "unix hello\n", "unix echo")
            })
        var replies: [String] = []
        let client = try AsyncTcpConnection("unix://\(path)")
        client.protocol = Text.self
        client.onConnect = { $0.send("async") }
        client.onMessage = { connection, data in
            replies.append(data.string)
            connection.close()
        }
        client.connect()
        XCTAssertTrue(spinLoop(timeout: 5) { !replies.isEmpty })
        XCTAssertEqual(replies, ["unix async"])
        worker.unlisten()
        XCTAssertNotEqual(access(path, F_OK), 0, "socket file removed")
    }
}
