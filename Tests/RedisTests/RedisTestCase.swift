import WorkermanTestSupport
import Workerman
import XCTest

@testable import WorkermanRedis

/// A test with its own redis-server (skipped where none is installed, failed under CI=true) and
/// the clients it made, all closed in teardown.
class RedisTestCase: XCTestCase {
    private var servers: [RedisServer] = []
    private var closers: [() -> Void] = []

    /// Starts a redis-server for this test.
    func startRedis(_ arguments: [String] = []) throws -> RedisServer {
        try XCTSkipUnless(try RedisServer.isAvailable(), "redis-server is not installed (.ci/deps/redis.sh)")
        let server = try RedisServer(arguments: arguments)
        servers.append(server)
        return server
    }

    /// A client closed in teardown.
    func client(_ url: String, _ configure: (inout RedisOptions) -> Void = { _ in }) throws -> RedisClient {
        var options = RedisOptions()
        configure(&options)
        let client = try RedisClient(url: url, options: options)
        closers.append { client.close() }
        return client
    }

    /// A subscriber closed in teardown.
    func subscriber(_ url: String, _ configure: (inout RedisOptions) -> Void = { _ in }) throws -> RedisSubscriber {
        var options = RedisOptions()
        configure(&options)
        let subscriber = try RedisSubscriber(url: url, options: options)
        closers.append { subscriber.close() }
        return subscriber
    }

    /// Runs the loop until `condition` holds (at most `timeout` s); fails the test otherwise.
    func wait(_ what: String, timeout: Double = 10, until condition: () -> Bool) {
        XCTAssertTrue(spinLoop(timeout: timeout, until: condition), "timed out waiting for \(what)")
    }

    /// Sends `command` and waits for its result.
    func result(_ client: RedisClient, _ command: RedisCommand, timeout: Double = 10) -> Result<RedisReply, RedisError>?
    {
        var outcome: Result<RedisReply, RedisError>?
        client.send(command) { outcome = $0 }
        wait("\(command.name)", timeout: timeout) { outcome != nil }
        return outcome
    }

    override func tearDown() {
        for close in closers { close() }
        closers.removeAll()
        for server in servers { server.stop() }
        servers.removeAll()
        Timer.delAll()
        spinLoop(timeout: 0.05) { false }
        super.tearDown()
    }
}
