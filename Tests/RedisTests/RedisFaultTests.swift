import Foundation
import Glibc
import Workerman
import WorkermanTestSupport
import XCTest

@testable import WorkermanRedis

/// What Redis (or something pretending to be it) can do wrong: replies cut at every byte, malformed
/// and oversized replies, a connection cut mid-reply or with commands in flight, a frozen server,
/// a server that is down, a server restarted under subscriptions.
final class RedisFaultTests: RedisTestCase {
    /// A fake server on a thread: accepts connections and runs `script` on each, in order.
    private func fakeServer(
        _ scripts: [@Sendable (BlockingClient) throws -> Void]
    ) throws -> (port: Int, done: Background) {
        let listener = try BlockingListener()
        let background = Background {
            for script in scripts {
                let peer = try listener.accept(timeout: 10)
                try script(peer)
            }
            listener.close()
        }
        return (listener.port, background)
    }

    /// Reads one command (the fake server's side); bytes after it stay in `peer`'s reader.
    private static func readCommand(_ peer: BlockingClient) throws -> [String] {
        try CommandReader.of(peer).readCommand()
    }

    func testEveryReplyTypeSplitAtEveryByteOverASocket() throws {
        let samples = RESPCodecTests.samples.filter { if case .push = $0.1 { return false } else { return true } }
        let wire = samples.flatMap { Array($0.0.utf8) }
        let count = samples.count
        let fake = try fakeServer([
            { peer in
                peer.setNoDelay()
                for _ in 0..<count { _ = try Self.readCommand(peer) }
                for byte in wire {
                    try peer.send([byte])
                    usleep(300)
                }
                _ = try? peer.receiveSome()
            }
        ])
        let redis = try client("redis://127.0.0.1:\(fake.port)") { $0.protocolVersion = 2 }
        var replies: [RedisReply] = []
        for index in 0..<count {
            redis.command("PING", index) { result in
                switch result {
                case .success(let reply): replies.append(reply)
                case .failure(let error): replies.append(.error(error.message))
                }
            }
        }
        wait("every reply", timeout: 30) { replies.count == count }
        XCTAssertEqual(replies, samples.map { $0.1 })
    }

    func testAMalformedReplyFailsThePendingCommandsAndTheClientReconnects() throws {
        let fake = try fakeServer([
            { peer in
                _ = try Self.readCommand(peer)
                _ = try Self.readCommand(peer)
                try peer.send("+OK\r\n?garbage\r\n")
                _ = try? peer.receiveSome()
            },
            { peer in
                try checkEqual(try Self.readCommand(peer), ["GET", "after"], "the next command, nothing resent")
                try peer.send("$2\r\nok\r\n")
            },
        ])
        let redis = try client("redis://127.0.0.1:\(fake.port)")
        var first: Result<RedisReply, RedisError>?
        var second: Result<RedisReply, RedisError>?
        redis.command("SET", "a", "1") { first = $0 }
        redis.command("GET", "b") { second = $0 }
        wait("the failure") { second != nil }
        XCTAssertEqual(try first?.get(), .simpleString("OK"))
        guard case .failure(let error) = second else { return XCTFail("the malformed reply was accepted") }
        XCTAssertEqual(error.kind, .protocolError)
        XCTAssertTrue(error.message.contains("unknown reply type"), error.message)
        XCTAssertEqual(try result(redis, RedisCommand("GET", "after"))?.get(), .bulkString(Array("ok".utf8)))
        wait("the fake server") { fake.done.isFinished }
        XCTAssertNil(fake.done.error)
    }

    func testAReplyOverTheLimitAndACutMidReplyFailWithClearErrors() throws {
        let fake = try fakeServer([
            { peer in
                _ = try Self.readCommand(peer)
                try peer.send("$5000\r\n" + String(repeating: "x", count: 100))
                _ = try? peer.receiveSome()
            },
            { peer in
                _ = try Self.readCommand(peer)
                _ = try Self.readCommand(peer)
                try peer.send("*2\r\n$3\r\nab")
                peer.close()
            },
            { peer in
                try checkEqual(try Self.readCommand(peer), ["PING"], "a fresh connection, nothing resent")
                try peer.send("+PONG\r\n")
            },
        ])
        let redis = try client("redis://127.0.0.1:\(fake.port)") { $0.maxReplySize = 1000 }
        let oversized = result(redis, RedisCommand("GET", "big"))
        guard case .failure(let error) = oversized else { return XCTFail("an oversized reply was accepted") }
        XCTAssertEqual(error.kind, .protocolError)
        XCTAssertTrue(error.message.contains("over the limit of 1000"), error.message)

        var cut: [Result<RedisReply, RedisError>] = []
        redis.command("LRANGE", "l", 0, -1) { cut.append($0) }
        redis.command("GET", "x") { cut.append($0) }
        wait("the cut") { cut.count == 2 }
        XCTAssertEqual(cut.map { $0.failureKind }, [.connectionLost, .connectionLost])
        XCTAssertEqual(try result(redis, RedisCommand("PING"))?.get(), .simpleString("PONG"))
        wait("the fake server") { fake.done.isFinished }
        XCTAssertNil(fake.done.error)
    }

    func testAFrozenServerTimesOutTheCommandAndThosePipelinedBehindIt() throws {
        let server = try startRedis()
        let redis = try client(server.url) {
            $0.commandTimeout = 1
            $0.reconnectDelays = [0.05]
        }
        XCTAssertEqual(try result(redis, RedisCommand("SET", "k", "v"))?.get(), .simpleString("OK"))
        server.signal(SIGSTOP)
        var outcomes: [RedisError.Kind?] = []
        redis.command("GET", "k") { outcomes.append($0.failureKind) }
        redis.command("GET", "k") { outcomes.append($0.failureKind) }
        wait("the timeout", timeout: 10) { outcomes.count == 2 }
        XCTAssertEqual(Set(outcomes.compactMap { $0 }), [.timeout, .connectionLost])
        server.signal(SIGCONT)
        var after: Result<RedisReply, RedisError>?
        wait("a command that succeeds again", timeout: 15) {
            if after == nil || after?.failureKind != nil {
                after = nil
                redis.get("k") { r in after = r.map { .bulkString(Array(($0 ?? "").utf8)) } }
                spinLoop(timeout: 2) { after != nil }
            }
            return after?.failureKind == nil && after != nil
        }
        XCTAssertEqual(try after?.get(), .bulkString(Array("v".utf8)))
    }

    func testCommandsWaitInABoundedQueueWhileDisconnectedAndInFlightOnesAreNeverResent() throws {
        let server = try startRedis()
        let redis = try client(server.url) {
            $0.maxQueuedCommands = 5
            $0.reconnectDelays = [0.05, 0.1]
            $0.commandTimeout = 20
        }
        XCTAssertEqual(try result(redis, RedisCommand("PING"))?.get(), .simpleString("PONG"))
        var inFlight: Result<RedisReply, RedisError>?
        redis.command("DEBUG", "SLEEP", 0.5) { _ in }
        redis.command("INCR", "sent-once") { inFlight = $0 }
        spinLoop(timeout: 0.2) { false }
        server.kill()
        wait("the in-flight failure") { inFlight != nil }
        XCTAssertEqual(inFlight?.failureKind, .connectionLost)

        var queued: [Result<Int64, RedisError>] = []
        for _ in 0..<5 { redis.incr("queued") { queued.append($0) } }
        var overflow: Result<Int64, RedisError>?
        redis.incr("queued") { overflow = $0 }
        XCTAssertEqual(overflow?.failureKind, .queueFull, "a full queue fails at once")
        spinLoop(timeout: 0.3) { false }
        XCTAssertTrue(queued.isEmpty)
        try server.start()
        wait("the queued commands") { queued.count == 5 }
        XCTAssertEqual(queued.map { try? $0.get() }, [1, 2, 3, 4, 5])
        XCTAssertEqual(try server.cli("EXISTS", "sent-once"), "0", "the new server never got the in-flight INCR")
    }

    func testSubscriptionsAreRestoredAfterRedisRestarts() throws {
        let server = try startRedis()
        let publisher = try client(server.url) { $0.reconnectDelays = [0.05] }
        let subscriber = try subscriber(server.url) { $0.reconnectDelays = [0.05] }
        var received: [String] = []
        var confirmations = 0
        subscriber.onSubscribed = { _, _ in confirmations += 1 }
        subscriber.subscribe("news") { received.append("news " + $0.string) }
        subscriber.psubscribe("sport.*") { received.append("\($0.channel) " + $0.string) }
        subscriber.ssubscribe("shard") { received.append("shard " + $0.string) }
        wait("three confirmations") { confirmations == 3 }
        publisher.publish("news", "one")
        publisher.publish("sport.tennis", "two")
        publisher.command("SPUBLISH", "shard", "three")
        publisher.publish("other", "ignored")
        wait("three messages") { received.count == 3 }
        XCTAssertEqual(received, ["news one", "sport.tennis two", "shard three"])

        server.kill()
        try server.start()
        wait("the subscriptions restored", timeout: 15) { confirmations == 6 }
        XCTAssertTrue(subscriber.isSubscribed("sport.*", kind: .pattern))
        var delivered: Int64?
        publisher.publish("news", "after") { delivered = try? $0.get() }
        wait("a message after the restart", timeout: 15) { received.count == 4 }
        XCTAssertEqual(received.last, "news after")
        XCTAssertEqual(delivered, 1)

        subscriber.unsubscribe("news")
        var count: Int64?
        spinLoop(timeout: 0.2) { false }
        publisher.publish("news", "unheard") { count = try? $0.get() }
        wait("the publish") { count != nil }
        XCTAssertEqual(count, 0)
    }
}

/// Buffered reading of RESP commands from a fake server's peer (a command may arrive with others).
final class CommandReader: @unchecked Sendable {
    private nonisolated(unsafe) static var readers: [Int32: CommandReader] = [:]
    private static let lock = NSLock()
    private let peer: BlockingClient
    private var buffer: [UInt8] = []

    private init(_ peer: BlockingClient) { self.peer = peer }

    /// The reader of `peer` (one per socket).
    static func of(_ peer: BlockingClient) -> CommandReader {
        lock.lock()
        defer { lock.unlock() }
        if let reader = readers[peer.fd], reader.peer === peer { return reader }
        let reader = CommandReader(peer)
        readers[peer.fd] = reader
        return reader
    }

    private func line() throws -> String {
        while true {
            if let end = buffer.firstIndex(of: 10) {
                let text = String(decoding: buffer[..<end].dropLast(), as: UTF8.self)
                buffer.removeFirst(end + 1)
                return text
            }
            let chunk = try peer.receiveSome()
            guard !chunk.isEmpty else { throw BlockingClient.Failure("end of file") }
            buffer += chunk
        }
    }

    private func bytes(_ count: Int) throws -> [UInt8] {
        while buffer.count < count {
            let chunk = try peer.receiveSome()
            guard !chunk.isEmpty else { throw BlockingClient.Failure("end of file") }
            buffer += chunk
        }
        let taken = Array(buffer[..<count])
        buffer.removeFirst(count)
        return taken
    }

    func readCommand() throws -> [String] {
        let header = try line()
        guard header.hasPrefix("*"), let count = Int(header.dropFirst()) else {
            throw BlockingClient.Failure("not a command: \(header)")
        }
        var arguments: [String] = []
        for _ in 0..<count {
            let size = Int(try line().dropFirst()) ?? 0
            arguments.append(String(decoding: try bytes(size + 2).dropLast(2), as: UTF8.self))
        }
        return arguments
    }
}
