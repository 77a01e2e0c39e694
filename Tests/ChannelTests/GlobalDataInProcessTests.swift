import Glibc
import Workerman
import WorkermanTestSupport
import XCTest

@testable import WorkermanGlobalData

/// GlobalData servers on the test's event loop; the blocking client on a thread, the non-blocking
/// client on the loop, raw frame peers for the wire format.
final class GlobalDataInProcessTests: XCTestCase {
    private var servers: [GlobalDataServer] = []

    private func startServer() throws -> (GlobalDataServer, Int) {
        let server = GlobalDataServer("127.0.0.1", 0)
        try server.worker.listen()
        servers.append(server)
        return (server, Int(server.worker.localAddress!.port))
    }

    override func tearDown() {
        for server in servers {
            for connection in server.worker.connections.values { connection.destroy() }
            server.worker.unlisten()
        }
        servers.removeAll()
        Timer.delAll()
        pump(0.01)
        super.tearDown()
    }

    func testTheManualsReferenceSequenceAndTheRestOfTheBlockingClient() throws {
        let (server, port) = try startServer()
        XCTAssertTrue(
            try runWithClient { try Self.referenceSequence(try GlobalDataClient("127.0.0.1:\(port)")) })
        XCTAssertEqual(server.store.values["abc"], 13)
    }

    /// The manual's reference sequence and the rules of `increment`: the same answers from every
    /// backend. Leaves "abc" at 13.
    static func referenceSequence(_ global: GlobalDataClient) throws {
        try check(try !global.isset("abc"), "isset(abc) is false at first")
        try global.set("abc", [1, 2, 3])
        try checkEqual(try global.get("abc"), [1, 2, 3], "get")
        try check(try global.unset("abc"), "unset existed")
        try check(try global.get("abc") == nil, "gone")
        try check(try global.add("abc", 10), "add to a missing key")
        try check(try !global.add("abc", 11), "add to an existing key fails")
        try checkEqual(try global.increment("abc", by: 2), 12, "increment")
        try check(try global.cas("abc", 12, 18), "cas from the current value")
        try check(try !global.cas("abc", 12, 19), "cas from a stale value fails")
        try checkEqual(try global.get("abc"), 18, "value after cas")
        try checkEqual(try global.decrement("abc", by: 5), 13, "decrement")
        try checkEqual(try global.increment("missing"), 1, "a missing key counts as 0")
        try checkEqual(try global.decrement("missing-too", by: 3), -3, "decrement of a missing key")
        try check(try global.isset("missing"), "and creates it")
        try check(try global.cas("fresh", nil, "new"), "cas from missing")
        try check(try !global.cas("fresh", nil, "newer"), "cas from missing when present fails")
        try global.set("text", "not a number")
        do {
            _ = try global.increment("text", by: 3)
            try check(false, "increment of a non-number is refused")
        } catch let error as GlobalDataError {
            try check(error.kind == .notANumber, "\(error)")
        }
        try checkEqual(try global.get("text"), "not a number", "and changes nothing")
        try global.set("big", .int(.max - 1))
        try checkEqual(try global.increment("big"), .int(.max), "exact up to Int64.max")
        do {
            _ = try global.increment("big")
            try check(false, "increment past Int64.max is refused")
        } catch let error as GlobalDataError {
            try check(error.kind == .overflow, "\(error)")
        }
        try checkEqual(try global.get("big"), .int(.max), "and leaves the value exact")
        try global.set("ratio", 0.5)
        try checkEqual(try global.increment("ratio"), 1.5, "doubles stay doubles")
        try global.set("nothing", .null)
        try check(try global.isset("nothing"), "a stored null is a value")
        let name = "bob"
        let visits = 2
        try global.set("user", ["name": name, "visits": visits])  // variables, as PHP's ['name' => $name]
        try checkEqual(try global.get("user"), ["name": "bob", "visits": 2], "a dictionary of variables")
        var copy = try global.get("fresh")!
        copy = "changed locally"
        try checkEqual(try global.get("fresh"), "new", "values are copies: \(copy) stays here")
    }

    func testTheSameSequenceOnRedisStoresValuesOtherLanguagesRead() throws {
        try RedisServer.require()
        let redis = try RedisServer()
        defer { redis.stop() }
        let url = redis.url
        XCTAssertTrue(try runWithClient { try Self.referenceSequence(try GlobalDataClient(url)) })
        XCTAssertEqual(try redis.cli("GET", "abc"), "13", "integers are Redis integers")
        XCTAssertEqual(try redis.cli("INCR", "abc"), "14")
        XCTAssertEqual(try redis.cli("GET", "text"), "\"not a number\"", "other values are JSON")

        let global = try AsyncGlobalDataClient(url)
        var stored = false
        global.set("user:1", ["name": "ada", "tags": [1, 2.5, true, .null], "raw": .bytes([104, 105])]) { _ in
            stored = true
        }
        XCTAssertTrue(spinLoop(timeout: 5) { stored })
        let json = try redis.cli("GET", "user:1")
        XCTAssertEqual(json, #"{"name":"ada","raw":"hi","tags":[1,2.5,true,null]}"#)
        let read = try ServerProcess.run(
            "/usr/bin/env", ["python3", "-c", "import json,sys; v=json.loads(sys.argv[1]); print(v['tags'][1])", json])
        XCTAssertEqual(read.output, "2.5\n", "Python reads it")
        var back: Value??
        global.get("user:1") { back = try? $0.get() }
        var count: Value?
        global.increment("abc", by: 6) { count = try? $0.get() }
        XCTAssertTrue(spinLoop(timeout: 5) { count != nil })
        XCTAssertEqual(back, .some(["name": "ada", "tags": [1, 2.5, true, .null], "raw": "hi"]))
        XCTAssertEqual(count, 20)
        try redis.cli("SET", "plain", "written by redis-cli")
        var plain: Value??
        global.get("plain") { plain = try? $0.get() }
        XCTAssertTrue(spinLoop(timeout: 5) { plain != nil })
        XCTAssertEqual(plain, .some("written by redis-cli"), "a value that is not JSON reads as a string")
    }

    func testTheNonBlockingClientPipelinesAndReportsAFailedConnection() throws {
        let (_, port) = try startServer()
        let global = try AsyncGlobalDataClient("127.0.0.1:\(port)")
        var results: [Value?] = []
        global.set("n", 0)
        for _ in 0..<100 { global.increment("n") { results.append(try? $0.get()) } }
        var added: Bool?
        global.add("n", 5) { added = try? $0.get() }
        XCTAssertEqual(global.waitingCount, 102)
        XCTAssertTrue(spinLoop(timeout: 5) { added != nil })
        XCTAssertEqual(results, (1...100).map { .int(Int64($0)) }, "replies complete in order")
        XCTAssertEqual(added, false)

        let dead = try AsyncGlobalDataClient("127.0.0.1:1")
        var failure: GlobalDataError?
        dead.get("x") { if case .failure(let error) = $0 { failure = error } }
        XCTAssertTrue(spinLoop(timeout: 5) { failure != nil })
        XCTAssertEqual(failure?.kind, .connection)
    }

    func testAClusterSpreadsKeysByCrc32AndEveryClientFindsThem() throws {
        XCTAssertEqual(KeySharding.crc32("123456789"), 0xCBF4_3926, "the standard CRC-32 check value")
        let (first, firstPort) = try startServer()
        let (second, secondPort) = try startServer()
        let addresses = ["127.0.0.1:\(firstPort)", "127.0.0.1:\(secondPort)"]
        XCTAssertTrue(
            try runWithClient {
                let writer = try GlobalDataClient(addresses)
                for index in 0..<100 { try writer.set("key\(index)", Value(index)) }
                let reader = try GlobalDataClient(addresses)
                for index in 0..<100 { try checkEqual(try reader.get("key\(index)"), Value(index), "key\(index)") }
            })
        XCTAssertEqual(first.store.values.count + second.store.values.count, 100)
        XCTAssertGreaterThan(first.store.values.count, 20)
        XCTAssertGreaterThan(second.store.values.count, 20)
        for key in first.store.values.keys { XCTAssertEqual(KeySharding.server(for: key, count: 2), 0, key) }
    }

    func testTheWireFormatAndABadRequest() throws {
        let (_, port) = try startServer()
        let peer = try FramePeer(port: port)
        try peer.send(Value.array([2, "k", ["a": 1]]).messagePack)
        try peer.send(Value.array([1, "k"]).messagePack)
        try peer.send(Value.array([1, "none"]).messagePack)
        try peer.send(Value.array([6, "k", [["a": 1]], 2]).messagePack)
        try peer.send([])  // a ping: no reply
        try peer.send(Value.array([7, "k", 40]).messagePack)
        pump(0.1)
        XCTAssertEqual(try Value(messagePack: peer.receive()), [0])
        XCTAssertEqual(try Value(messagePack: peer.receive()), [0, ["a": 1]])
        XCTAssertEqual(try Value(messagePack: peer.receive()), [0])
        XCTAssertEqual(try Value(messagePack: peer.receive()), [0, true])
        XCTAssertEqual(try Value(messagePack: peer.receive()), [0, 42])

        try peer.send(Value.array([99, "k"]).messagePack)
        pump(0.1)
        let refusal = try Value(messagePack: peer.receive())
        XCTAssertEqual(refusal[0], 1)
        XCTAssertTrue(refusal[1].string?.hasPrefix("bad request") == true, "\(refusal)")
        XCTAssertTrue(peer.isClosedByServer())
    }

    func testSnapshotsAreWrittenAtomicallyAndLoadedOnStart() throws {
        let path = "/tmp/globaldata-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).msgpack"
        defer { unlink(path) }
        let (server, port) = try startServer()
        server.dataFile = path
        XCTAssertTrue(try runWithClient { try GlobalDataClient("127.0.0.1:\(port)").set("saved", [1, "two"]) })
        server.saveSnapshot()
        XCTAssertNil(SnapshotFile.read(path + ".tmp"), "the temporary file was renamed")

        let restarted = GlobalDataServer("127.0.0.1", 0)
        restarted.dataFile = path
        try restarted.worker.onWorkerStart?(restarted.worker)
        XCTAssertEqual(restarted.store.values["saved"], [1, "two"])

        XCTAssertNil(SnapshotFile.write(Array("garbage".utf8), to: path))
        let damaged = GlobalDataServer("127.0.0.1", 0)
        damaged.dataFile = path
        try damaged.worker.onWorkerStart?(damaged.worker)
        XCTAssertTrue(damaged.store.values.isEmpty, "an unreadable file is moved aside")
        XCTAssertNotNil(SnapshotFile.read(path + ".unreadable"))
        unlink(path + ".unreadable")
    }
}
