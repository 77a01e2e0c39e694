import Foundation
import WorkermanTestSupport
import XCTest

/// The `uid-push` example (seed 004, acceptance scenario S-NATIVE-PUSH) as a real program: a
/// websocket client logs in with its uid, another program pushes through the inner text port, and
/// the heartbeat closes silent clients.
final class UidPushExampleTests: XCTestCase {
    private var server: ExampleServer?

    override func tearDown() {
        server?.stop()
        server = nil
        super.tearDown()
    }

    /// Starts uid-push; returns the websocket port and the inner push port (printed by the worker).
    private func start(heartbeat: String) throws -> (ws: Int, push: Int) {
        let server = try ExampleServer(
            "uid-push", environment: ["WS_PORT": "0", "PUSH_PORT": "0", "HEARTBEAT_S": heartbeat])
        self.server = server
        return (try server.port("websocket"), try server.port("text"))
    }

    /// What the seed's PHP callback does: connect to the push port, write one JSON line, read the answer.
    private func push(_ line: String, port: Int) throws -> String {
        let client = try BlockingClient(port: port, timeout: 3)
        defer { client.close() }
        try client.send(line + "\n")
        return try client.receive(untilSuffix: "\n")
    }

    /// Logs `uid` in and waits until the server has printed it.
    private func login(_ uid: String, port: Int) throws -> ExampleWebSocketClient {
        let client = try ExampleWebSocketClient(port: port)
        try client.send(uid)
        XCTAssertTrue(server!.eventually { !server!.lines(containing: "\(uid) online").isEmpty }, server!.log)
        return client
    }

    func testAPushReachesTheLoggedInUserAndAnUnknownUidFails() throws {
        let ports = try start(heartbeat: "55")
        let alice = try login("42", port: ports.ws)
        let bob = try login("43", port: ports.ws)

        let line = #"{"uid":"42","message":"your order shipped"}"#
        XCTAssertEqual(try push(line, port: ports.push), "ok\n")
        XCTAssertEqual(try alice.receive(), line, "the pushed line itself, without its newline")
        XCTAssertEqual(try bob.messagesArriving(within: 0.2), [], "only uid 42")

        XCTAssertEqual(try push(#"{"uid":"7","message":"nobody"}"#, port: ports.push), "fail\n")
        XCTAssertEqual(try push("not json", port: ports.push), "fail\n")
        XCTAssertEqual(try alice.messagesArriving(within: 0.2), [])

        // A first message that is not a non-zero number does not log in; a later number does.
        let carol = try ExampleWebSocketClient(port: ports.ws)
        try carol.send("abc")
        try carol.send("0")
        usleep(100_000)
        XCTAssertEqual(try push(#"{"uid":"abc","message":"x"}"#, port: ports.push), "fail\n")
        try carol.send("44")
        XCTAssertTrue(server!.eventually { !server!.lines(containing: "44 online").isEmpty })
        XCTAssertEqual(try push(#"{"uid":44,"message":"numbers too"}"#, port: ports.push), "ok\n")
        XCTAssertEqual(try carol.receive(), #"{"uid":44,"message":"numbers too"}"#)

        // A user who leaves is forgotten: pushes fail from then on.
        bob.close()
        XCTAssertTrue(server!.eventually { !server!.lines(containing: "43 offline").isEmpty }, server!.log)
        XCTAssertEqual(try push(#"{"uid":"43","message":"gone"}"#, port: ports.push), "fail\n")
        XCTAssertEqual(server!.workerPIDs.count, 1, "the text port lives in the websocket process")
    }

    func testTheHeartbeatClosesASilentClientAndKeepsATalkingOne() throws {
        let ports = try start(heartbeat: "1")
        let silent = try login("7", port: ports.ws)
        let talking = try login("8", port: ports.ws)
        let mute = try BlockingClient(port: ports.ws, timeout: 6)  // connects, never even shakes hands
        defer { mute.close() }
        let started = Date()
        // The talking client sends something every 0.3 s; the silent one sends nothing more.
        let talker = Background {
            for _ in 0..<12 {
                try talking.send("still here")
                usleep(300_000)
            }
        }
        XCTAssertEqual(try silent.receiveClose(), 1001, "closed with a close frame: going away")
        let waited = Date().timeIntervalSince(started)
        XCTAssertGreaterThan(waited, 0.9, "not before the heartbeat period")
        XCTAssertLessThan(waited, 4, "within about a second of it (the scan runs every second)")
        XCTAssertTrue(server!.eventually { !server!.lines(containing: "7 offline").isEmpty }, server!.log)
        XCTAssertEqual(try push(#"{"uid":"7","message":"gone"}"#, port: ports.push), "fail\n")
        XCTAssertEqual(try mute.receiveUntilClosed().bytes, 0, "closed too, without a word")

        XCTAssertTrue(spinLoop(timeout: 10) { talker.isFinished })
        XCTAssertNil(talker.error)
        XCTAssertEqual(try push(#"{"uid":"8","message":"alive"}"#, port: ports.push), "ok\n")
        XCTAssertEqual(try talking.receive(), #"{"uid":"8","message":"alive"}"#, "after 3.6 s of talking")
    }
}
