import Glibc
import Workerman
import WorkermanRedis
import WorkermanTestSupport
import XCTest

/// A subscriber's connection is silent while nothing is published: its keepalive `PING` is what
/// notices a server that stopped answering without closing the connection.
final class RedisKeepAliveTests: RedisTestCase {
    func testASubscriberNoticesAFrozenServerByItsPingAndSubscribesAgainOnceItAnswers() throws {
        let server = try startRedis()
        let publisher = try client(server.url) { $0.reconnectDelays = [0.05] }
        let subscriber = try subscriber(server.url) {
            $0.keepAliveInterval = 0.2
            $0.commandTimeout = 0.5
            $0.reconnectDelays = [0.05]
        }
        var errors: [String] = []
        subscriber.onError = { errors.append($0.message) }
        var confirmations = 0
        subscriber.onSubscribed = { _, _ in confirmations += 1 }
        var received: [String] = []
        subscriber.subscribe("news") { received.append($0.string) }
        wait("the subscription") { confirmations == 1 }

        spinLoop(timeout: 1.5) { false }  // several keepalive rounds, each answered
        XCTAssertEqual(errors, [], "a silent, healthy connection is kept")
        XCTAssertEqual(confirmations, 1)
        XCTAssertTrue(try server.cli("CLIENT", "LIST").contains("cmd=ping"), "the keepalive was a PING")

        server.signal(SIGSTOP)
        wait("the unanswered PING", timeout: 10) { errors.contains { $0.contains("no answer to PING") } }
        server.signal(SIGCONT)
        wait("the subscription restored", timeout: 15) { confirmations >= 2 }
        publisher.publish("news", "after")
        wait("a message after the freeze", timeout: 10) { received == ["after"] }
    }

    func testAZeroIntervalSendsNoPing() throws {
        let server = try startRedis()
        let subscriber = try subscriber(server.url) {
            $0.keepAliveInterval = 0
            $0.commandTimeout = 0.3
        }
        var confirmations = 0
        subscriber.onSubscribed = { _, _ in confirmations += 1 }
        subscriber.subscribe("news") { _ in }
        wait("the subscription") { confirmations == 1 }
        spinLoop(timeout: 0.8) { false }
        XCTAssertFalse(try server.cli("CLIENT", "LIST").contains("cmd=ping"), "no PING was sent")
    }
}
