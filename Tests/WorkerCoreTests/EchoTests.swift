import Workerman
import WorkermanTestSupport
import XCTest

final class EchoTests: ServerTestCase {
    func testTextEchoWithPacketsSplitAtEveryByteAndSeveralInOneRead() throws {
        var received: [String] = []
        let worker = try startWorker("text://127.0.0.1:0") { worker in
            worker.onMessage = { connection, data in
                received.append(data.string)
                connection.send(data)
            }
        }
        let port = worker.port
        XCTAssertTrue(
            try runWithClient {
                let client = try BlockingClient(port: port)
                client.setNoDelay()
                for byte in "hello\r\nworld\n".utf8 {
                    try client.send([byte])
                    usleep(2000)
                }
                try checkEqual(try client.receive(untilSuffix: "world\n"), "hello\nworld\n", "byte by byte")
                try client.send("a\nbb\r\nccc\n")
                try checkEqual(try client.receive(untilSuffix: "ccc\n"), "a\nbb\nccc\n", "three in one write")
                try client.send("split in ")
                usleep(20_000)
                try client.send("two\nand a tail")
                try checkEqual(try client.receive(untilSuffix: "two\n"), "split in two\n", "split line")
                try client.send(" done\n")
                try checkEqual(try client.receive(untilSuffix: "done\n"), "and a tail done\n", "tail kept")
                client.close()
            })
        XCTAssertEqual(received, ["hello", "world", "a", "bb", "ccc", "split in two", "and a tail done"])
    }

    func testFrameEchoWithFramesSplitAtEveryByteAndSeveralInOneRead() throws {
        let worker = try startWorker("frame://127.0.0.1:0") { worker in
            worker.onMessage = { connection, data in connection.send(data) }
        }
        let port = worker.port
        XCTAssertTrue(
            try runWithClient {
                let client = try BlockingClient(port: port)
                client.setNoDelay()
                let first = frame(Array("binary\u{0}\u{ff}".utf8))
                for byte in first {
                    try client.send([byte])
                    usleep(1000)
                }
                try checkEqual(try client.receive(count: first.count), first, "frame byte by byte")
                let several = frame([]) + frame([1, 2, 3]) + frame(Array(repeating: 7, count: 70_000))
                try client.send(several)
                try checkEqual(try client.receive(count: several.count), several, "several frames in one write")
                client.close()
            })
    }

    func testRawTcpDeliversChunksAsTheyArrive() throws {
        var total = 0
        let worker = try startWorker("tcp://127.0.0.1:0") { worker in
            worker.onMessage = { connection, data in
                total += data.bytes.count
                connection.send(data)
            }
        }
        let port = worker.port
        XCTAssertTrue(
            try runWithClient {
                let client = try BlockingClient(port: port)
                let payload = (0..<300_000).map { UInt8($0 % 251) }
                try client.send(payload)
                try checkEqual(try client.receive(count: payload.count), payload, "raw echo")
                client.close()
            })
        XCTAssertEqual(total, 300_000)
    }

    func testIPv6ListenerAcceptsIPv6Clients() throws {
        let worker = try startWorker("text://[::1]:0") { worker in
            worker.onMessage = { connection, _ in connection.send(connection.getRemoteIp()) }
        }
        let port = worker.port
        XCTAssertTrue(
            try runWithClient {
                let client = try BlockingClient(port: port, host: "::1")
                try client.send("who am i\n")
                try checkEqual(try client.receive(untilSuffix: "\n"), "::1\n", "remote ip")
            })
    }

    func testConnectionAddressesAndIdsAndTheWorkersConnectionTable() throws {
        var seen: [(id: Int, remote: String, local: Int)] = []
        var tableSizes: [Int] = []
        let worker = try startWorker("text://127.0.0.1:0") { worker in
            worker.onConnect = { connection in
                seen.append((connection.id, connection.getRemoteIp(), connection.getLocalPort()))
                tableSizes.append(connection.worker?.connections.count ?? -1)
            }
            worker.onMessage = { connection, data in connection.send(data) }
        }
        let port = worker.port
        XCTAssertTrue(
            try runWithClient {
                let a = try BlockingClient(port: port)
                let b = try BlockingClient(port: port)
                try a.send("x\n")
                try b.send("y\n")
                _ = try a.receive(untilSuffix: "\n")
                _ = try b.receive(untilSuffix: "\n")
            })
        XCTAssertEqual(seen.count, 2)
        XCTAssertNotEqual(seen[0].id, seen[1].id)
        XCTAssertEqual(seen.map(\.remote), ["127.0.0.1", "127.0.0.1"])
        XCTAssertEqual(seen.map(\.local), [port, port])
        XCTAssertEqual(tableSizes, [1, 2])
    }

    func testTypedContextKeepsPerConnectionData() throws {
        let worker = try startWorker("text://127.0.0.1:0") { worker in
            worker.onMessage = { connection, data in
                if connection.context[.uid] == nil {
                    connection.context[.uid] = data.string
                    connection.send("welcome \(data)")
                } else {
                    connection.context[.messageCount, default: 0] += 1
                    connection.send("\(connection.context[.uid]!) #\(connection.context[.messageCount]!): \(data)")
                }
            }
        }
        let port = worker.port
        XCTAssertTrue(
            try runWithClient {
                let alice = try BlockingClient(port: port)
                let bob = try BlockingClient(port: port)
                try alice.send("alice\n")
                try bob.send("bob\n")
                try checkEqual(try alice.receive(untilSuffix: "\n"), "welcome alice\n", "alice login")
                try checkEqual(try bob.receive(untilSuffix: "\n"), "welcome bob\n", "bob login")
                try alice.send("hi\n")
                try alice.send("again\n")
                try bob.send("yo\n")
                try checkEqual(try alice.receive(untilSuffix: "again\n"), "alice #1: hi\nalice #2: again\n", "alice")
                try checkEqual(try bob.receive(untilSuffix: "\n"), "bob #1: yo\n", "bob")
            })
    }
}

extension ContextKey where Value == String {
    static var uid: Self { .init("uid") }
}

extension ContextKey where Value == Int {
    static var messageCount: Self { .init("messageCount") }
}
