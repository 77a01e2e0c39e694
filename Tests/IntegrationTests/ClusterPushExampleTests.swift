import Foundation
import WorkermanTestSupport
import XCTest

/// The `cluster-push` example (the manual's Channel cluster push, scenario S-CLUSTER) as a real
/// program: users logged in over 4 websocket processes, pushes made over HTTP.
final class ClusterPushExampleTests: XCTestCase {
    private var server: ExampleServer?

    override func tearDown() {
        server?.stop()
        server = nil
        super.tearDown()
    }

    /// A logged-in user: the client and the websocket process (worker id) that serves it.
    private struct User {
        let uid: String
        let client: ExampleWebSocketClient
        let worker: Int
    }

    private func login(_ uid: String, port: Int) throws -> User {
        let client = try ExampleWebSocketClient(port: port)
        try client.send(uid)
        let reply = try JSONSerialization.jsonObject(with: Data(try client.receive().utf8)) as? [String: Any]
        XCTAssertEqual(reply?["type"] as? String, "login")
        XCTAssertEqual(reply?["uid"] as? String, uid)
        return User(uid: uid, client: client, worker: reply?["worker_id"] as? Int ?? -1)
    }

    func testAnHttpPushReachesTheUserWhereverItIsConnected() throws {
        let server = try ExampleServer(
            "cluster-push", environment: ["WS_PORT": "0", "HTTP_PORT": "0", "CHANNEL_PORT": "0"])
        self.server = server
        let wsPort = try server.port("websocket")
        let httpPort = try server.port("http")

        // Users log in until each of the 4 processes holds at least two (the kernel spreads new
        // connections over the processes' sockets by a hash; bounded).
        var users: [User] = []
        while users.count < 200,
            Dictionary(grouping: users, by: \.worker).filter({ $0.value.count >= 2 }).count < 4
        {
            users.append(try login("u\(users.count)", port: wsPort))
        }
        let workers = Set(users.map(\.worker))
        XCTAssertEqual(workers, [0, 1, 2, 3], "\(users.count) users over the 4 processes")

        // Ready when a push reaches one user of each process (its Channel subscription is in place).
        for worker in workers {
            let user = users.first { $0.worker == worker }!
            var arrived: [String] = []
            for attempt in 0..<40 where arrived.isEmpty {
                XCTAssertEqual(
                    try ExampleServer.http(port: httpPort, "/?uid=\(user.uid)&msg=ready\(attempt)").body, "ok")
                arrived = try user.client.messagesArriving(within: 0.25)
            }
            XCTAssertFalse(arrived.isEmpty, "process \(worker) never got a push:\n\(server.log)")
            _ = try user.client.messagesArriving(within: 0.3)  // late answers to earlier attempts
        }

        // Each user gets its own push, from a GET or a POST, and nobody else's.
        for (index, user) in users.enumerated() {
            let reply =
                index.isMultiple(of: 2)
                ? try ExampleServer.http(port: httpPort, "/?uid=\(user.uid)&msg=hello%20\(user.uid)")
                : try ExampleServer.http(
                    port: httpPort, "/", method: "POST", body: "uid=\(user.uid)&msg=hello+\(user.uid)")
            XCTAssertEqual(reply.status, 200)
            XCTAssertEqual(reply.body, "ok")
            XCTAssertEqual(try user.client.receive(), "hello \(user.uid)", "user \(user.uid) on process \(user.worker)")
        }
        for user in users { XCTAssertEqual(try user.client.messagesArriving(within: 0.02), [], user.uid) }

        // No uid: everybody, in every process, once.
        XCTAssertEqual(try ExampleServer.http(port: httpPort, "/?msg=to%20all").body, "ok")
        for user in users { XCTAssertEqual(try user.client.receive(), "to all", user.uid) }

        // A uid nobody holds: published, delivered to no one. No message: 400, nothing published.
        XCTAssertEqual(try ExampleServer.http(port: httpPort, "/?uid=nobody&msg=lost").body, "ok")
        XCTAssertEqual(try ExampleServer.http(port: httpPort, "/?uid=u1").status, 400)
        for user in users { XCTAssertEqual(try user.client.messagesArriving(within: 0.05), [], user.uid) }

        // One uid open in several tabs (over several processes): every tab gets it; a closed tab drops out.
        let tabs = try (0..<8).map { _ in try login("team", port: wsPort) }
        XCTAssertGreaterThan(Set(tabs.map(\.worker)).count, 1, "tabs over several processes")
        XCTAssertEqual(try ExampleServer.http(port: httpPort, "/?uid=team&msg=standup").body, "ok")
        for tab in tabs { XCTAssertEqual(try tab.client.receive(), "standup") }
        tabs[0].client.close()
        usleep(100_000)
        XCTAssertEqual(try ExampleServer.http(port: httpPort, "/?uid=team&msg=again").body, "ok")
        for tab in tabs.dropFirst() { XCTAssertEqual(try tab.client.receive(), "again") }
        for tab in tabs.dropFirst() { XCTAssertEqual(try tab.client.messagesArriving(within: 0.02), []) }
        XCTAssertEqual(server.workerPIDs.count, 6, "4 pusher + 1 publisher + the Channel server")
    }

    func testTwoServersSharingOneRedisPushToEachOthersUsers() throws {
        try RedisServer.require()
        let redis = try RedisServer()
        defer { redis.stop() }
        let environment = ["WS_PORT": "0", "HTTP_PORT": "0", "CHANNEL_URL": redis.url]
        let first = try ExampleServer("cluster-push", environment: environment)
        self.server = first
        let second = try ExampleServer("cluster-push", environment: environment)
        defer { second.stop() }
        let alice = try login("alice", port: try first.port("websocket"))
        let bob = try login("bob", port: try second.port("websocket"))
        // Ready when pushes through the other server arrive (the subscriptions are in place).
        for (user, server) in [(alice, second), (bob, first)] {
            var arrived: [String] = []
            for attempt in 0..<40 where arrived.isEmpty {
                XCTAssertEqual(
                    try ExampleServer.http(port: try server.port("http"), "/?uid=\(user.uid)&msg=r\(attempt)").body,
                    "ok")
                arrived = try user.client.messagesArriving(within: 0.25)
            }
            XCTAssertFalse(arrived.isEmpty, "\(user.uid) never got a push through the other server")
            _ = try user.client.messagesArriving(within: 0.3)
        }
        XCTAssertEqual(
            try ExampleServer.http(port: try second.port("http"), "/?uid=alice&msg=from%20second").body, "ok")
        XCTAssertEqual(try alice.client.receive(), "from second")
        XCTAssertEqual(try ExampleServer.http(port: try first.port("http"), "/?msg=everyone").body, "ok")
        XCTAssertEqual(try alice.client.receive(), "everyone")
        XCTAssertEqual(try bob.client.receive(), "everyone")
        XCTAssertEqual(try bob.client.messagesArriving(within: 0.2), [], "once each")
        XCTAssertEqual(ProcessTable.children(of: first.process.process.processIdentifier).count, 5, "no Channel server")
    }
}
