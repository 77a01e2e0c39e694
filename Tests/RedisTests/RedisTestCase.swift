import Workerman
import WorkermanTestSupport
import XCTest

@testable import WorkermanRedis

/// A test with its own redis-server (skipped where none is installed, failed under CI=true) and
/// the clients it made, all closed in teardown.
class RedisTestCase: XCTestCase {
    private var servers: [RedisServer] = []
    private var closers: [() -> Void] = []

    /// Starts a redis-server for this test.
    func startRedis(_ arguments: [String] = [], tls: Bool = false) throws -> RedisServer {
        try RedisServer.require()
        let server = try RedisServer(arguments: arguments, tls: tls)
        servers.append(server)
        return server
    }

    /// A client closed in teardown.
    func client(_ url: String, _ configure: (inout RedisOptions) -> Void = { _ in }) throws -> RedisClient {
        let client = try RedisClient(url: url, options: Self.options(configure))
        closers.append { client.close() }
        return client
    }

    /// A subscriber closed in teardown.
    func subscriber(_ url: String, _ configure: (inout RedisOptions) -> Void = { _ in }) throws -> RedisSubscriber {
        let subscriber = try RedisSubscriber(url: url, options: Self.options(configure))
        closers.append { subscriber.close() }
        return subscriber
    }

    private static func options(_ configure: (inout RedisOptions) -> Void) -> RedisOptions {
        var options = RedisOptions()
        configure(&options)
        return options
    }

    /// Runs the loop until `condition` holds (at most `timeout` s); fails the test otherwise.
    func wait(_ what: String, timeout: Double = 10, until condition: () -> Bool) {
        XCTAssertTrue(spinLoop(timeout: timeout, until: condition), "timed out waiting for \(what)")
    }

    /// Sends `command` and waits for its result.
    func result(_ client: any RedisCommands, _ command: RedisCommand, timeout: Double = 10) -> Result<
        RedisReply, RedisError
    >? {
        var outcome: Result<RedisReply, RedisError>?
        client.send(command, timeout: nil) { outcome = $0 }
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
