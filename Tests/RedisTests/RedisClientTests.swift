import Glibc
import Workerman
import WorkermanTLS
import WorkermanTestSupport
import XCTest

@testable import WorkermanRedis

/// The asynchronous client against a real redis-server: typed helpers, pipelining, RESP3, AUTH and
/// SELECT, transactions, scripts, unix sockets, blocking reads.
final class RedisClientTests: RedisTestCase {
    func testTypedHelpersRoundTripBinarySafeValues() throws {
        let server = try startRedis()
        let redis = try client(server.url)
        var log: [String] = []
        let binary: [UInt8] = [0, 13, 10, 255, 36, 42]
        redis.set("text", "hello") { log.append("set \((try? $0.get()) ?? false)") }
        redis.set("text", "again", condition: .ifMissing) { log.append("setnx \((try? $0.get()) ?? true)") }
        redis.get("text") { log.append("get \(String(describing: try? $0.get()))") }
        redis.get("missing") { log.append("missing \(String(describing: try? $0.get()))") }
        redis.set("bytes", binary)
        redis.getBytes("bytes") { log.append("bytes \((try? $0.get()) == binary)") }
        redis.incr("n") { log.append("incr \((try? $0.get()) ?? 0)") }
        redis.incrby("n", 41) { log.append("incrby \((try? $0.get()) ?? 0)") }
        redis.decrby("n", 2) { log.append("decrby \((try? $0.get()) ?? 0)") }
        redis.get("text2") { _ in }
        redis.incr("text") { log.append("incr text: \($0.failureKind.map { "\($0)" } ?? "ok")") }
        redis.expire("n", 100) { log.append("expire \((try? $0.get()) ?? false)") }
        redis.ttl("n") { log.append("ttl>0 \(((try? $0.get()) ?? 0) > 0)") }
        redis.hset("h", "a", "1")
        redis.hset("h", "b", 2)
        redis.hget("h", "b") { log.append("hget \(String(describing: try? $0.get()))") }
        redis.hincrby("h", "b", 5) { log.append("hincrby \((try? $0.get()) ?? 0)") }
        redis.hgetall("h") { log.append("hgetall \((try? $0.get()) == ["a": "1", "b": "7"])") }
        redis.hdel("h", "a") { log.append("hdel \((try? $0.get()) ?? 0)") }
        redis.rpush("l", ["x", "y", "z"])
        redis.lpop("l") { log.append("lpop \(String(describing: try? $0.get()))") }
        redis.lrange("l", 0, -1) { log.append("lrange \((try? $0.get()) ?? [])") }
        redis.sadd("s", ["m"])
        redis.smembers("s") { log.append("smembers \((try? $0.get()) ?? [])") }
        redis.mget(["text", "missing"]) { log.append("mget \((try? $0.get()) ?? [])") }
        redis.exists("text", "h", "missing") { log.append("exists \((try? $0.get()) ?? 0)") }
        redis.del("text", "h") { log.append("del \((try? $0.get()) ?? 0)") }
        redis.ping { log.append("ping \((try? $0.get()) ?? "")") }
        wait("the replies") { log.count == 22 }
        XCTAssertEqual(
            log,
            [
                "set true", "setnx false", "get Optional(\"hello\")", "missing nil", "bytes true",
                "incr 1", "incrby 42", "decrby 40", "incr text: server", "expire true", "ttl>0 true",
                "hget Optional(\"2\")", "hincrby 7", "hgetall true", "hdel 1", "lpop Optional(\"x\")",
                "lrange [\"y\", \"z\"]", "smembers [\"m\"]", "mget [Optional(\"hello\"), nil]", "exists 2", "del 2",
                "ping PONG",
            ])
        XCTAssertEqual(try server.cli("GET", "n"), "40")
    }

    func testTenThousandPipelinedCommandsCompleteInOrder() throws {
        let server = try startRedis()
        let redis = try client(server.url)
        var values: [Int64] = []
        for _ in 0..<10_000 { redis.incr("counter") { values.append((try? $0.get()) ?? -1) } }
        XCTAssertEqual(redis.pendingCount, 10_000)
        wait("10,000 replies", timeout: 30) { values.count == 10_000 }
        XCTAssertEqual(values, Array(1...10_000))
    }

    func testRESP3RepliesThroughHello() throws {
        let server = try startRedis()
        let redis = try client(server.url) { $0.protocolVersion = 3 }
        var map: RedisReply?
        var hash: [String: String]?
        var double: RedisReply?
        redis.hset("h", "f", "v")
        redis.command("HGETALL", "h") { map = try? $0.get() }
        redis.hgetall("h") { hash = try? $0.get() }
        redis.command("ZADD", "z", 1.5, "m")
        redis.command("ZSCORE", "z", "m") { double = try? $0.get() }
        wait("the replies") { double != nil }
        XCTAssertEqual(map, .map([RedisPair(key: .bulkString(Array("f".utf8)), value: .bulkString(Array("v".utf8)))]))
        XCTAssertEqual(hash, ["f": "v"])
        XCTAssertEqual(double, .double(1.5))
    }

    func testAuthAndSelectFromTheURLAndARefusedPassword() throws {
        let server = try startRedis(["--requirepass", "s3cret"])
        let redis = try client("redis://:s3cret@127.0.0.1:\(server.port)/2")
        let stored = result(redis, RedisCommand("SET", "in-db-2", "yes"))
        XCTAssertEqual(try stored?.get(), .simpleString("OK"))
        XCTAssertEqual(try server.cli("-a", "s3cret", "--no-auth-warning", "-n", "2", "GET", "in-db-2"), "yes")
        let resp3 = try client("redis://default:s3cret@127.0.0.1:\(server.port)/2") { $0.protocolVersion = 3 }
        XCTAssertEqual(try result(resp3, RedisCommand("GET", "in-db-2"))?.get(), .bulkString(Array("yes".utf8)))

        let wrong = try client("redis://:wrong@127.0.0.1:\(server.port)") { $0.reconnectDelays = [5] }
        var errors: [RedisError] = []
        wrong.onError = { errors.append($0) }
        let refused = result(wrong, RedisCommand("GET", "in-db-2"))
        XCTAssertNotNil(refused?.failureKind, "a command behind a refused AUTH fails")
        wait("the handshake error") { errors.contains { $0.kind == .handshake } }
    }

    func testTransactionsAndAWatchedKeyAbortingOne() throws {
        let server = try startRedis()
        let redis = try client(server.url)
        var replies: [RedisReply]?
        redis.transaction([RedisCommand("SET", "a", "1"), RedisCommand("INCR", "a"), RedisCommand("INCR", "a")]) {
            replies = try? $0.get()
        }
        wait("EXEC") { replies != nil }
        XCTAssertEqual(replies, [.simpleString("OK"), .integer(2), .integer(3)])

        var aborted: Result<[RedisReply], RedisError>?
        redis.command("WATCH", "a")
        _ = result(redis, RedisCommand("PING"))
        try server.cli("SET", "a", "changed")
        redis.transaction([RedisCommand("SET", "a", "mine")]) { aborted = $0 }
        wait("the aborted EXEC") { aborted != nil }
        XCTAssertEqual(aborted?.failureKind, .transactionAborted)
        XCTAssertEqual(try server.cli("GET", "a"), "changed")

        var refused: Result<[RedisReply], RedisError>?
        redis.transaction([RedisCommand("SET", "a"), RedisCommand("INCR", "a")]) { refused = $0 }
        wait("EXECABORT") { refused != nil }
        XCTAssertEqual(refused?.failureKind, .server)
    }

    func testScriptsRunByShaAndFallBackToTheSourceAfterAFlush() throws {
        let server = try startRedis()
        let redis = try client(server.url)
        let script = RedisScript("return redis.call('INCRBY', KEYS[1], ARGV[1])")
        var results: [Int64] = []
        redis.evaluate(script, keys: ["k"], arguments: [5]) { results.append((try? $0.get())?.integer ?? -1) }
        wait("the first run") { results.count == 1 }
        redis.evaluate(script, keys: ["k"], arguments: [5]) { results.append((try? $0.get())?.integer ?? -1) }
        wait("the second run") { results.count == 2 }
        try server.cli("SCRIPT", "FLUSH")
        redis.evaluate(script, keys: ["k"], arguments: [5]) { results.append((try? $0.get())?.integer ?? -1) }
        wait("the run after the flush") { results.count == 3 }
        XCTAssertEqual(results, [5, 10, 15])
        let stats = try server.cli("INFO", "commandstats")
        XCTAssertTrue(stats.contains("cmdstat_evalsha:calls=3"), stats)
        XCTAssertTrue(stats.contains("cmdstat_eval:calls=2"), "EVAL only on NOSCRIPT: \(stats)")
    }

    func testRedissWithTheTLSModule() throws {
        let server = try startRedis(tls: true)
        let redis = try client("rediss://127.0.0.1:\(server.port)/3")
        redis.tls = TLSClientContext(caFile: server.tls!.certificate)
        XCTAssertEqual(try result(redis, RedisCommand("SET", "secure", "yes"))?.get(), .simpleString("OK"))
        XCTAssertEqual(try result(redis, RedisCommand("GET", "secure"))?.get(), .bulkString(Array("yes".utf8)))
        XCTAssertTrue(redis.isConnected)

        let untrusting = try client("rediss://127.0.0.1:\(server.port)") {
            $0.reconnectDelays = [5]
            $0.commandTimeout = 1  // commands wait for a connection up to their timeout
        }
        var errors: [RedisError] = []
        untrusting.onError = { errors.append($0) }
        XCTAssertNotNil(result(untrusting, RedisCommand("PING"), timeout: 10)?.failureKind)
        XCTAssertTrue(
            errors.contains { $0.message.contains("TLS") }, "the self-signed certificate is refused: \(errors)")
    }

    func testUnixSocketAndTheBlockingClient() throws {
        let server = try startRedis()
        let redis = try client("unix://\(server.unixSocket)?db=1")
        XCTAssertEqual(try result(redis, RedisCommand("SET", "over-unix", "1"))?.get(), .simpleString("OK"))
        let url = server.url
        XCTAssertTrue(
            try runWithClient {
                let blocking = try BlockingRedisClient(url: url + "/1")
                try checkEqual(try blocking.get("over-unix"), "1", "the blocking client sees db 1")
                try blocking.set("b", [1, 2, 3] as [UInt8])
                try checkEqual(try blocking.command("GET", "b").bytes, [1, 2, 3], "binary-safe")
                try checkEqual(try blocking.incrby("c", 7), 7, "incrby")
                let results = try blocking.pipeline([RedisCommand("INCR", "c"), RedisCommand("HGET", "c", "x")])
                try checkEqual(try results[0].get(), .integer(8), "pipelined INCR")
                try check(results[1].failureKind == .server, "WRONGTYPE comes back as a failure")
                blocking.close()
                try checkEqual(try blocking.incrby("c", 1), 9, "reconnects after close")
                do {
                    _ = try BlockingRedisClient(url: "redis://127.0.0.1:1").get("x")
                    try check(false, "a refused connection throws")
                } catch let error as RedisError {
                    try check(error.kind == .connectionLost, "\(error)")
                }
            })
    }

    func testBlockingReadsOnTheirOwnConnection() throws {
        let server = try startRedis()
        let redis = try client(server.url)
        let reader = try client(server.url)
        _ = result(redis, RedisCommand("XGROUP", "CREATE", "jobs", "workers", "$", "MKSTREAM"))
        var delivered: RedisReply?
        reader.send(
            RedisCommand("XREADGROUP", "GROUP", "workers", "w1", "COUNT", 1, "BLOCK", 5000, "STREAMS", "jobs", ">"),
            timeout: 10
        ) { delivered = try? $0.get() }
        var pings = 0
        for _ in 0..<3 { redis.ping { _ in pings += 1 } }
        wait("pings on the other connection while the read blocks") { pings == 3 }
        XCTAssertNil(delivered)
        redis.command("XADD", "jobs", "*", "task", "42")
        wait("the blocked read") { delivered != nil }
        let entry = delivered?.elements?.first?.elements?[1].elements?.first?.elements?[1]
        XCTAssertEqual(entry?.strings, ["task", "42"])
    }
}

extension Result where Failure == RedisError {
    /// The failure's kind, nil on success.
    var failureKind: RedisError.Kind? {
        if case .failure(let error) = self { return error.kind }
        return nil
    }
}
