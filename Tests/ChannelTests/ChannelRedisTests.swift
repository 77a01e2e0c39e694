import Foundation
import Glibc
import Workerman
import WorkermanChannel
import WorkermanRedis
import WorkermanTestSupport
import XCTest

/// Channel over Redis: the API in this process, then worker processes of two separate programs, a
/// consumer killed mid-message, and Redis restarted mid-stream.
final class ChannelRedisTests: ProbeTestCase {
    private var redisServers: [RedisServer] = []

    private func startRedis(_ arguments: [String] = []) throws -> RedisServer {
        try RedisServer.require()
        let server = try RedisServer(arguments: arguments)
        redisServers.append(server)
        return server
    }

    override func tearDown() {
        ChannelClient.reset()
        Timer.delAll()
        pump(0.01)
        super.tearDown()
        for server in redisServers { server.stop() }
        redisServers.removeAll()
    }

    /// Waits until `count` subscribers listen to `channel` (PUBSUB NUMSUB).
    private func waitForSubscribers(_ redis: RedisServer, _ channel: String, _ count: Int) {
        XCTAssertTrue(
            eventually(timeout: 20) {
                pump(0.01)
                return (try? redis.cli("PUBSUB", "NUMSUB", channel))?.split(separator: "\n").last == "\(count)"[...]
            }, "\(count) subscribers of \(channel)")
    }

    /// "<prefix> N pid=P" lines of `servers` as (N, P).
    private func deliveries(_ servers: [ServerProcess], _ prefix: String) -> [(number: Int, pid: String)] {
        servers.flatMap { lines($0, prefix + " ") }.compactMap { line in
            let words = line.split(separator: " ")
            guard words.count == 3, let number = Int(words[1]) else { return nil }
            return (number, String(words[2]))
        }
    }

    func testTheClientAPIOverRedisInOneProcess() throws {
        let redis = try startRedis()
        var errors: [ChannelError] = []
        ChannelClient.onError = { errors.append($0) }
        ChannelClient.connect(url: redis.url)
        var news: [Value] = []
        var work: [Value] = []
        var jobs: [Value] = []
        ChannelClient.on("news") { news.append($0) }
        ChannelClient.on("work") { work.append($0) }
        ChannelClient.watch("jobs", autoReserve: false) { jobs.append($0) }
        XCTAssertTrue(spinLoop(timeout: 5) { ChannelClient.isConnected })
        waitForSubscribers(redis, "news", 1)

        let data: Value = ["title": "hello", "n": 1, "tags": [1.5, true, .null]]
        XCTAssertTrue(ChannelClient.publish("news", data))
        XCTAssertTrue(ChannelClient.publishLoop("work", 7))
        for index in 0..<3 { XCTAssertTrue(ChannelClient.enqueue("jobs", Value(index))) }
        XCTAssertTrue(spinLoop(timeout: 5) { news.count == 1 && work.count == 1 })
        XCTAssertEqual(news, [data])
        XCTAssertEqual(work, [7])
        pump(0.3)
        XCTAssertEqual(jobs, [], "a queue without autoReserve waits for reserve()")
        ChannelClient.reserve()
        XCTAssertTrue(spinLoop(timeout: 5) { jobs.count == 1 })
        ChannelClient.reserve()
        ChannelClient.reserve()
        XCTAssertTrue(spinLoop(timeout: 5) { jobs.count == 3 })
        XCTAssertEqual(jobs, [0, 1, 2])
        XCTAssertEqual(try redis.cli("XLEN", "{workerman}:queue:jobs"), "0", "acknowledged messages are deleted")
        XCTAssertEqual(try redis.cli("PUBLISH", "news", #"{"from":"redis-cli"}"#), "1")
        XCTAssertTrue(spinLoop(timeout: 5) { news.count == 2 })
        XCTAssertEqual(news.last, ["from": "redis-cli"], "other programs publish JSON")

        ChannelClient.unsubscribe("news")
        XCTAssertTrue(
            eventually(timeout: 5) {
                pump(0.01)
                return (try? redis.cli("PUBSUB", "NUMSUB", "news"))?.hasSuffix("\n0") ?? false
            })
        XCTAssertEqual(errors.count, 0, "\(errors)")
    }

    func testEightProcessesOfTwoProgramsGetEveryEventOnceAndShareLoopsAndQueues() throws {
        let redis = try startRedis()
        let environment = ["COUNT": "4", "CHANNEL_URL": redis.url]
        let first = try startProbe("redis-channel", environment)
        let second = try startProbe("redis-channel", environment)
        let servers = [first, second]
        XCTAssertTrue(
            eventually(timeout: 20) { servers.allSatisfy { self.lines($0, "redis channel ready").count == 4 } })
        waitForSubscribers(redis, "ticks", 8)
        ChannelClient.connect(url: redis.url)
        let (ticks, loops, jobs) = (300, 200, 200)
        for index in 0..<ticks {
            XCTAssertTrue(ChannelClient.publish("ticks", Value(index)))
            if index < loops { ChannelClient.publishLoop("work", Value(index)) }
            if index < jobs { ChannelClient.enqueue("jobs", Value(index)) }
            pump(0.002)  // a steady rate, about 400 publishes a second
        }
        XCTAssertTrue(
            eventually(timeout: 30) {
                pump(0.01)
                return self.deliveries(servers, "tick").count >= 8 * ticks
                    && self.deliveries(servers, "work").count >= loops && self.deliveries(servers, "job").count >= jobs
            }, "deliveries: \(deliveries(servers, "tick").count) ticks")
        pump(0.5)
        let tickDeliveries = deliveries(servers, "tick")
        let pids = Set(tickDeliveries.map(\.pid))
        XCTAssertEqual(pids.count, 8)
        for pid in pids {
            XCTAssertEqual(
                tickDeliveries.filter { $0.pid == pid }.map(\.number), Array(0..<ticks),
                "every tick once, in order, \(pid)")
        }
        let workDeliveries = deliveries(servers, "work")
        XCTAssertEqual(workDeliveries.map(\.number).sorted(), Array(0..<loops), "each publishLoop event once")
        XCTAssertGreaterThan(Set(workDeliveries.map(\.pid)).count, 1, "spread over the processes")
        let jobDeliveries = deliveries(servers, "job")
        XCTAssertEqual(jobDeliveries.map(\.number).sorted(), Array(0..<jobs), "each job once")
        print(
            "measured: \(ticks) events x 8 processes, \(loops) loop events, \(jobs) jobs over Redis: 0 lost, 0 duplicated"
        )
    }

    func testAQueueMessageOfAConsumerKilledMidMessageIsRedelivered() throws {
        let redis = try startRedis()
        let marker = NSTemporaryDirectory() + "redis-channel-die-\(UUID().uuidString)"
        defer { unlink(marker) }
        let workers = try startProbe(
            "redis-channel",
            ["COUNT": "4", "CHANNEL_URL": redis.url, "DIE_ON_JOB": "5", "DIE_MARKER": marker, "REDELIVERY_MS": "1000"])
        XCTAssertTrue(eventually(timeout: 20) { self.lines(workers, "redis channel ready").count == 4 })
        ChannelClient.connect(url: redis.url)
        for index in 0..<20 { ChannelClient.enqueue("jobs", Value(index)) }
        XCTAssertTrue(
            eventually(timeout: 30) {
                pump(0.01)
                return Set(self.deliveries([workers], "job").map(\.number)).count == 20
            }, workers.log)
        let died = lines(workers, "dying on job 5")
        XCTAssertEqual(died.count, 1, "a consumer was killed holding job 5")
        let jobs = deliveries([workers], "job")
        XCTAssertEqual(jobs.map(\.number).sorted(), Array(0..<20), "every job once, job 5 from another process")
        XCTAssertFalse(jobs.contains { $0.number == 5 && died.first?.hasSuffix($0.pid) == true })
    }

    func testRedisRestartedMidStreamRestoresSubscriptionsAndLosesNoQueuedJob() throws {
        let redis = try startRedis(["--appendonly", "yes", "--appendfsync", "always"])
        let workers = try startProbe("redis-channel", ["COUNT": "4", "CHANNEL_URL": redis.url])
        XCTAssertTrue(eventually(timeout: 20) { self.lines(workers, "redis channel ready").count == 4 })
        waitForSubscribers(redis, "ticks", 4)
        ChannelClient.connect(url: redis.url)
        func publish(_ range: Range<Int>) {
            for index in range {
                ChannelClient.publish("ticks", Value(index))
                ChannelClient.enqueue("jobs", Value(index))
                pump(0.002)
            }
        }
        publish(0..<100)
        XCTAssertTrue(
            eventually(timeout: 20) {
                pump(0.01)
                return self.deliveries([workers], "tick").count >= 400
            })
        redis.kill()
        publish(100..<150)  // while Redis is down: events may be lost, jobs wait in the client
        try redis.start()
        waitForSubscribers(redis, "ticks", 4)
        publish(150..<250)
        XCTAssertTrue(
            eventually(timeout: 30) {
                pump(0.01)
                return Set(self.deliveries([workers], "job").map(\.number)).count == 250
                    && self.deliveries([workers], "tick").filter { $0.number >= 150 }.count >= 400
            }, workers.log)
        pump(0.5)
        let ticks = deliveries([workers], "tick")
        for pid in Set(ticks.map(\.pid)) {
            let mine = ticks.filter { $0.pid == pid }.map(\.number)
            XCTAssertEqual(mine.count, Set(mine).count, "no event twice in \(pid)")
            XCTAssertTrue(Set(mine).isSuperset(of: Array(0..<100) + Array(150..<250)), "every event outside the outage")
        }
        let jobs = deliveries([workers], "job").map(\.number)
        XCTAssertEqual(Set(jobs), Set(0..<250), "0 jobs lost across the restart")
        print(
            "measured: Redis restart mid-stream: \(ticks.filter { (100..<150).contains($0.number) }.count) of 200 "
                + "events published during the outage delivered; jobs delivered \(jobs.count) for 250 enqueued")
    }
}
