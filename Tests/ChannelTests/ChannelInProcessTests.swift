import Glibc
import Workerman
import WorkermanChannel
import WorkermanTestSupport
import XCTest

/// A ChannelServer and this process's ChannelClient on the test's event loop, with raw frame peers
/// that speak the documented wire format.
final class ChannelInProcessTests: XCTestCase {
    private var server: ChannelServer!
    private var port = 0
    private var errors: [ChannelError] = []

    override func setUpWithError() throws {
        ChannelClient.reset()
        server = ChannelServer("127.0.0.1", 0)
        try server.worker.listen()
        port = Int(server.worker.localAddress!.port)
        ChannelClient.onError = { [unowned self] in errors.append($0) }
    }

    override func tearDown() {
        ChannelClient.reset()
        for connection in server.worker.connections.values { connection.destroy() }
        server.worker.unlisten()
        Timer.delAll()
        pump(0.01)
        super.tearDown()
    }

    private func connectClient() {
        ChannelClient.connect("127.0.0.1", port)
        XCTAssertTrue(spinLoop(timeout: 2) { ChannelClient.isConnected })
    }

    /// A raw peer subscribed to `events` (`[1, [names]]`).
    private func subscribedPeer(_ events: [String]) throws -> FramePeer {
        let peer = try FramePeer(port: port)
        try peer.send(Value.array([1, .array(events.map { .string($0) })]).messagePack)
        return peer
    }

    private func event(_ payload: [UInt8]) throws -> Value { try Value(messagePack: payload) }

    func testPublishReachesEverySubscriberThePublisherIncludedAndASecondOnReplacesTheFirst() throws {
        connectClient()
        var first: [Value] = []
        var second: [Value] = []
        ChannelClient.on("news") { first.append($0) }
        ChannelClient.on("news") { second.append($0) }
        let peer = try subscribedPeer(["news"])
        XCTAssertTrue(spinLoop(timeout: 2) { self.server.subscriberCount("news") == 2 })

        let data: Value = ["title": "hello", "n": 1, "tags": [1.5, true, .null], "raw": .bytes([0, 255])]
        XCTAssertTrue(ChannelClient.publish("news", data))
        XCTAssertTrue(spinLoop(timeout: 2) { second.count == 1 })
        XCTAssertEqual(second, [data])
        XCTAssertEqual(first, [], "the second on() replaced the first callback")
        XCTAssertEqual(try event(peer.receive()), [1, "news", data], "the documented delivery [1, name, data]")

        // A raw peer publishes with the documented request [3, [names], data].
        try peer.send(Value.array([3, ["news", "other"], "from the peer"]).messagePack)
        XCTAssertTrue(spinLoop(timeout: 2) { second.count == 2 })
        XCTAssertEqual(second.last, "from the peer")
        XCTAssertEqual(try event(peer.receive()), [1, "news", "from the peer"])

        // Variables, as Workerman's publish('news', ['title' => $title, 'n' => $n]).
        let title = "from variables"
        let number = 2
        XCTAssertTrue(ChannelClient.publish("news", ["title": title, "n": number]))
        XCTAssertTrue(spinLoop(timeout: 2) { second.count == 3 })
        XCTAssertEqual(second.last, ["title": "from variables", "n": 2])
        XCTAssertEqual(try event(peer.receive()), [1, "news", ["title": "from variables", "n": 2]])

        ChannelClient.unsubscribe("news")
        XCTAssertTrue(spinLoop(timeout: 2) { self.server.subscriberCount("news") == 1 })
        ChannelClient.publish("news", "after unsubscribe")
        pump(0.05)
        XCTAssertEqual(try event(peer.receive()), [1, "news", "after unsubscribe"])
        pump(0.05)
        XCTAssertEqual(second.count, 3, "no delivery after unsubscribe")
        XCTAssertEqual(errors.map(\.description), [])

        peer.close()
        XCTAssertTrue(spinLoop(timeout: 2) { self.server.subscriberCount("news") == 0 }, "a closed peer is forgotten")
    }

    func testEventsWithoutACallbackGoToOnMessage() throws {
        connectClient()
        var fallback: [String] = []
        ChannelClient.onMessage = { event, data in fallback.append("\(event)=\(data)") }
        ChannelClient.subscribe(["a", "b"])
        XCTAssertTrue(spinLoop(timeout: 2) { self.server.subscriberCount("b") == 1 })
        ChannelClient.publish(["a", "b"], 7)
        XCTAssertTrue(spinLoop(timeout: 2) { fallback.count == 2 })
        XCTAssertEqual(fallback, ["a=7", "b=7"])
    }

    func testPublishLoopTakesTheSubscribersInTurn() throws {
        connectClient()
        let peers = try (0..<3).map { _ in try subscribedPeer(["work"]) }
        XCTAssertTrue(spinLoop(timeout: 2) { self.server.subscriberCount("work") == 3 })
        for index in 0..<6 { ChannelClient.publishLoop("work", Value(index)) }
        pump(0.1)
        var received: [[Int]] = []
        for peer in peers { received.append(try (0..<2).map { _ in try event(peer.receive())[2].int ?? -1 }) }
        XCTAssertEqual(received, [[0, 3], [1, 4], [2, 5]])
    }

    func testAQueueMessageGoesToOneReadyConsumerAndUnwatchStopsDelivery() throws {
        connectClient()
        var consumed: [Int] = []
        ChannelClient.watch("jobs") { consumed.append($0.int ?? -1) }
        let rawConsumer = try FramePeer(port: port)
        try rawConsumer.send(Value.array([5, ["jobs"]]).messagePack)  // watch
        try rawConsumer.send(Value.array([8]).messagePack)  // reserve: ready for one message
        let producer = try FramePeer(port: port)
        pump(0.05)
        for job in 0..<20 { try producer.send(Value.array([7, ["jobs"], Value(job)]).messagePack) }
        XCTAssertTrue(spinLoop(timeout: 2) { consumed.count == 19 })
        let raw = try event(rawConsumer.receive())
        XCTAssertEqual(raw[0], 2, "a queue delivery [2, name, data]")
        XCTAssertEqual(Set(consumed + [raw[2].int ?? -1]), Set(0..<20), "each job once")
        XCTAssertEqual(server.waitingCount("jobs"), 0)

        ChannelClient.unwatch("jobs")
        pump(0.05)
        try producer.send(Value.array([7, ["jobs"], 99]).messagePack)
        pump(0.05)
        XCTAssertEqual(consumed.count, 19, "nothing after unwatch")
        XCTAssertEqual(server.waitingCount("jobs"), 1, "the job waits for a ready consumer")
        try rawConsumer.send(Value.array([8]).messagePack)
        pump(0.05)
        XCTAssertEqual(try event(rawConsumer.receive()), [2, "jobs", 99])
    }

    func testPublishesWhileDisconnectedAreKeptUpToTheBoundThenFailLoudlyAndAreSentOnConnect() throws {
        // A port with nothing listening: bound, never listened on, so connects are refused.
        server.worker.unlisten()
        let holder = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        inet_pton(AF_INET, "127.0.0.1", &address.sin_addr)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(holder, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        XCTAssertEqual(bound, 0)

        ChannelClient.reconnectDelays = [0.05]
        ChannelClient.maxBufferedBytes = 200
        ChannelClient.connect("127.0.0.1", port)
        var accepted: [Int] = []
        for index in 0..<50 where ChannelClient.publish("late", Value(index)) { accepted.append(index) }
        XCTAssertFalse(ChannelClient.isConnected)
        XCTAssertGreaterThan(accepted.count, 5)
        XCTAssertLessThan(accepted.count, 50)
        XCTAssertEqual(accepted, Array(0..<accepted.count), "the oldest are kept")
        XCTAssertEqual(errors.filter { $0.kind == .bufferFull }.count, 50 - accepted.count, "every drop reported")
        pump(0.2)
        XCTAssertTrue(errors.contains { $0.kind == .connectFailed }, "refused connects are reported")

        // The server comes back on the same port: the kept publishes go out, in order.
        close(holder)
        server = ChannelServer("127.0.0.1", port)
        try server.worker.listen()
        let peer = try subscribedPeer(["late"])
        XCTAssertTrue(spinLoop(timeout: 2) { self.server.subscriberCount("late") == 1 })
        XCTAssertTrue(spinLoop(timeout: 2) { ChannelClient.isConnected })
        pump(0.05)
        let delivered = try accepted.map { _ in try event(peer.receive())[2].int ?? -1 }
        XCTAssertEqual(delivered, accepted)
    }

    func testAMalformedRequestClosesThePeerAndTheServerGoesOn() throws {
        let bad = try FramePeer(port: port)
        try bad.send([0x93, 0x63, 0xc1, 0x00])
        pump(0.05)
        XCTAssertTrue(bad.isClosedByServer())
        connectClient()
        var got: [Value] = []
        ChannelClient.on("still") { got.append($0) }
        pump(0.02)
        ChannelClient.publish("still", "alive")
        XCTAssertTrue(spinLoop(timeout: 2) { got == ["alive"] })
    }

    func testTheClientPingsWithEmptyFramesThatTheServerIgnores() throws {
        ChannelClient.pingInterval = 0.05
        connectClient()
        XCTAssertTrue(spinLoop(timeout: 2) { self.server.worker.connections.count == 1 })
        let serverSide = server.worker.connections.values.first!
        let before = serverSide.bytesRead
        pump(0.28)
        let pings = (serverSide.bytesRead - before) / 4
        XCTAssertTrue((4...6).contains(pings), "\(pings) pings of 4 bytes in 0.28 s")
        XCTAssertEqual(serverSide.state, .established)
        XCTAssertEqual(errors.map(\.description), [])
    }

    func testBlockingPublisherWorksWithoutAnEventLoop() throws {
        connectClient()
        var got: [Value] = []
        ChannelClient.on("outside") { got.append($0) }
        pump(0.02)
        let port = self.port
        XCTAssertTrue(
            try runWithClient {
                let publisher = try BlockingChannelPublisher(host: "127.0.0.1", port: port)
                try publisher.publish("outside", ["from": "a thread"])
                try publisher.enqueue("nobody-watches", 1)
            })
        XCTAssertTrue(spinLoop(timeout: 2) { got.count == 1 })
        XCTAssertEqual(got, [["from": "a thread"]])
        XCTAssertThrowsError(try BlockingChannelPublisher(host: "127.0.0.1", port: 1, timeout: 1))
    }
}
