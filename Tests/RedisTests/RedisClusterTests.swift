import Glibc
import Workerman
import WorkermanTestSupport
import XCTest

@testable import WorkermanRedis

/// A 3-master Redis Cluster started by the test (redis-server --cluster-enabled yes x 3 and
/// redis-cli --cluster create), and a slot migration the test drives: MOVED and ASK followed.
final class RedisClusterTests: RedisTestCase {
    private func startCluster() throws -> [RedisServer] {
        var servers: [RedisServer] = []
        for _ in 0..<3 {
            servers.append(
                try startRedis([
                    "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf", "--cluster-port",
                    "\(ExampleServer.freePort())", "--cluster-node-timeout", "5000",
                ]))
        }
        guard let cli = RedisServer.program("redis-cli") else { throw BlockingClient.Failure("no redis-cli") }
        let created = try ServerProcess.run(
            cli, ["--cluster", "create"] + servers.map { "127.0.0.1:\($0.port)" } + ["--cluster-yes"], timeout: 60)
        XCTAssertEqual(created.status, 0, created.output)
        for server in servers {
            XCTAssertTrue(
                eventually(timeout: 30) { (try? server.cli("CLUSTER", "INFO"))?.contains("cluster_state:ok") ?? false },
                "cluster state ok on \(server.port)")
        }
        return servers
    }

    /// The node id and port of the master owning `slot`, from CLUSTER NODES.
    private func owner(of slot: Int, _ server: RedisServer) throws -> (id: String, port: Int) {
        for line in try server.cli("CLUSTER", "NODES").split(separator: "\n") {
            let fields = line.split(separator: " ")
            guard fields.count >= 9, fields[2].contains("master") else { continue }
            for range in fields[8...] where !range.hasPrefix("[") {
                let bounds = range.split(separator: "-").compactMap { Int($0) }
                let (low, high) = (bounds.first ?? -1, bounds.last ?? -1)
                if (low...high).contains(slot) {
                    let address = fields[1].split(separator: "@")[0]
                    return (String(fields[0]), Int(address.split(separator: ":").last!)!)
                }
            }
        }
        throw BlockingClient.Failure("no owner of slot \(slot)")
    }

    private func eventually(timeout: Double, _ condition: () -> Bool) -> Bool {
        spinLoop(timeout: timeout) { condition() }
    }

    func testHashSlotsMatchRedis() throws {
        XCTAssertEqual(RedisHashSlot.crc16(Array("123456789".utf8)), 0x31C3, "the XMODEM check value")
        XCTAssertEqual(RedisHashSlot.slot("foo"), 12182)
        XCTAssertEqual(RedisHashSlot.slot("{user1000}.following"), RedisHashSlot.slot("{user1000}.followers"))
        XCTAssertEqual(RedisHashSlot.slot("foo{}{bar}"), RedisHashSlot.slot("foo{}{bar}"))
        XCTAssertEqual(RedisCommand("EVALSHA", "sha", 1, "key", "arg").routingKey, Array("key".utf8))
        XCTAssertEqual(RedisCommand("XGROUP", "CREATE", "stream", "g", "$").routingKey, Array("stream".utf8))
        XCTAssertNil(RedisCommand("PING").routingKey)
    }

    func testCommandsReachTheirMastersAndFollowMovedAndAskDuringAMigration() throws {
        let servers = try startCluster()
        let cluster = try RedisCluster(urls: [servers[0].url])
        defer { cluster.close() }
        var stored = 0
        for index in 0..<100 { cluster.set("key:\(index)", "\(index)") { if (try? $0.get()) == true { stored += 1 } } }
        wait("100 SETs", timeout: 20) { stored == 100 }
        var read: [Int: String] = [:]
        for index in 0..<100 { cluster.get("key:\(index)") { read[index] = (try? $0.get()) ?? nil } }
        wait("100 GETs", timeout: 20) { read.count == 100 }
        XCTAssertEqual(read, Dictionary(uniqueKeysWithValues: (0..<100).map { ($0, "\($0)") }))
        let sizes = try servers.map { Int(try $0.cli("DBSIZE")) ?? 0 }
        XCTAssertEqual(sizes.reduce(0, +), 100)
        XCTAssertTrue(sizes.allSatisfy { $0 > 10 }, "keys spread over the 3 masters: \(sizes)")

        // Migrate the slot of {m} from its owner to another master, step by step.
        let slot = RedisHashSlot.slot("{m}")
        XCTAssertEqual(try servers[0].cli("CLUSTER", "KEYSLOT", "{m}:a"), "\(slot)")
        let source = try owner(of: slot, servers[0])
        let sourceServer = servers.first { $0.port == source.port }!
        let targetServer = servers.first { $0.port != source.port }!
        let target = (id: try targetServer.cli("CLUSTER", "MYID"), port: targetServer.port)
        XCTAssertEqual(try result(cluster, RedisCommand("SET", "{m}:a", "old"))?.get(), .simpleString("OK"))
        try targetServer.cli("CLUSTER", "SETSLOT", "\(slot)", "IMPORTING", source.id)
        try sourceServer.cli("CLUSTER", "SETSLOT", "\(slot)", "MIGRATING", target.id)

        // A key still on the source is served there; a new one is sent on with ASK.
        XCTAssertEqual(try result(cluster, RedisCommand("GET", "{m}:a"))?.get(), .bulkString(Array("old".utf8)))
        XCTAssertEqual(try result(cluster, RedisCommand("SET", "{m}:b", "new"))?.get(), .simpleString("OK"))
        XCTAssertGreaterThanOrEqual(cluster.askCount, 1, "ASK followed")
        XCTAssertEqual(try targetServer.cli("CLUSTER", "COUNTKEYSINSLOT", "\(slot)"), "1", "{m}:b went to the target")

        try sourceServer.cli("MIGRATE", "127.0.0.1", "\(target.port)", "", "0", "5000", "KEYS", "{m}:a")
        for server in [targetServer, sourceServer] + servers.filter({ $0 !== targetServer && $0 !== sourceServer }) {
            try server.cli("CLUSTER", "SETSLOT", "\(slot)", "NODE", target.id)
        }
        let movedBefore = cluster.movedCount
        XCTAssertEqual(try result(cluster, RedisCommand("GET", "{m}:a"))?.get(), .bulkString(Array("old".utf8)))
        XCTAssertEqual(cluster.movedCount, movedBefore + 1, "MOVED followed once")
        XCTAssertEqual(try result(cluster, RedisCommand("GET", "{m}:b"))?.get(), .bulkString(Array("new".utf8)))
        wait("the map to say so") { cluster.node(forSlot: slot) == "127.0.0.1:\(target.port)" }
        XCTAssertEqual(try sourceServer.cli("CLUSTER", "COUNTKEYSINSLOT", "\(slot)"), "0")
    }

    func testGlobalDataOnTheClusterSpreadsKeysOverTheMasters() throws {
        let servers = try startCluster()
        let cluster = try RedisCluster(urls: [servers[1].url])
        defer { cluster.close() }
        let global = AsyncGlobalDataClient(redis: cluster)
        var done = 0
        for index in 0..<30 {
            global.increment("hits:\(index)", by: index) { _ in done += 1 }
            global.increment("hits:\(index)", by: 1) { _ in done += 1 }
        }
        var swapped: Bool?
        global.set("config", ["mode": "a"]) { _ in
            global.cas("config", ["mode": "a"], ["mode": "b"]) { swapped = try? $0.get() }
        }
        wait("the operations", timeout: 20) { done == 60 && swapped != nil }
        XCTAssertEqual(swapped, true, "cas by script on the key's master")
        var values: [Int: Value] = [:]
        for index in 0..<30 { global.get("hits:\(index)") { values[index] = (try? $0.get()) ?? nil } }
        wait("the reads", timeout: 20) { values.count == 30 }
        XCTAssertEqual(values, Dictionary(uniqueKeysWithValues: (0..<30).map { ($0, Value(Int64($0 + 1))) }))
        let sizes = try servers.map { Int(try $0.cli("DBSIZE")) ?? 0 }
        XCTAssertEqual(sizes.reduce(0, +), 31)
        XCTAssertEqual(sizes.filter { $0 > 0 }.count, 3, "keys on every master: \(sizes)")
    }

    func testChannelOnTheCluster() throws {
        let servers = try startCluster()
        defer { ChannelClient.reset() }
        ChannelClient.connect(cluster: [servers[2].url])
        var news: [Value] = []
        var work: [Value] = []
        var jobs: [Value] = []
        ChannelClient.on("news") { news.append($0) }
        ChannelClient.on("work") { work.append($0) }
        ChannelClient.watch("jobs") { jobs.append($0) }
        wait("the subscription on a node", timeout: 20) {
            servers.contains { (try? $0.cli("PUBSUB", "NUMSUB", "news"))?.hasSuffix("\n1") ?? false }
        }
        // Published through another node: the cluster carries it to the subscriber's.
        try servers[0].cli("PUBLISH", "news", #"{"via":"node 0"}"#)  // counts that node's subscribers only
        ChannelClient.publish("news", "direct")
        ChannelClient.publishLoop("work", 1)
        for index in 0..<5 { ChannelClient.enqueue("jobs", Value(index)) }
        wait("the deliveries", timeout: 20) { news.count == 2 && work.count == 1 && jobs.count == 5 }
        XCTAssertEqual(Set(news), [["via": "node 0"], "direct"])
        XCTAssertEqual(work, [1])
        XCTAssertEqual(jobs, [0, 1, 2, 3, 4])
        let slot = RedisHashSlot.slot("{workerman}:queue:jobs")
        let counts = try servers.map { try $0.cli("CLUSTER", "COUNTKEYSINSLOT", "\(slot)") }
        XCTAssertEqual(counts.sorted(), ["0", "0", "3"], "the 3 streams on the master of their hash tag's slot")
    }
}
