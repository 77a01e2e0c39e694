import Foundation
import WorkermanTestSupport
import XCTest

/// The `group-push` example (seeds 000 and 001, acceptance scenario S-GROUP) as a real program:
/// 4 websocket processes and a Channel server; 40 websocket clients spread over the 4 processes.
final class GroupPushExampleTests: XCTestCase {
    private var server: ExampleServer?

    override func tearDown() {
        server?.stop()
        server = nil
        super.tearDown()
    }

    private func command(_ fields: [String: String]) -> String {
        String(decoding: try! JSONSerialization.data(withJSONObject: fields, options: .sortedKeys), as: UTF8.self)
    }

    /// The pid serving `client`; its answer also proves every earlier command of the client was handled.
    private func pid(of client: ExampleWebSocketClient) throws -> Int {
        try client.send(command(["cmd": "whoami"]))
        let answer = try JSONSerialization.jsonObject(with: Data(try client.receive().utf8)) as? [String: Any]
        return answer?["pid"] as? Int ?? -1
    }

    func testEveryMemberInEveryProcessGetsTheGroupMessageOnceAndAClosedClientLeavesEveryGroup() throws {
        try checkGroupSend(["WS_PORT": "0", "CHANNEL_PORT": "0"], processes: 5)
    }

    func testTheSameOverRedisWithoutAChannelServer() throws {
        try RedisServer.require()
        let redis = try RedisServer()
        defer { redis.stop() }
        try checkGroupSend(["WS_PORT": "0", "CHANNEL_URL": redis.url], processes: 4)
    }

    /// Seed 000's group send with 40 clients; `processes`: the program's worker processes.
    private func checkGroupSend(_ environment: [String: String], processes: Int) throws {
        let server = try ExampleServer("group-push", environment: environment)
        self.server = server
        let port = try server.port("websocket")

        // Ready when all 4 processes report a group message (their Channel subscriptions are in place).
        let probe = try ExampleWebSocketClient(port: port)
        var ready = false
        for attempt in 0..<40 where !ready {
            try probe.send(command(["cmd": "send_to_group", "group_id": "none", "message": "warm-up \(attempt)"]))
            ready = server.eventually(timeout: 0.5) {
                server.lines(containing: "groups after warm-up \(attempt):").count == 4
            }
        }
        XCTAssertTrue(ready, "4 processes subscribed:\n\(server.log)")

        let clients = try (0..<40).map { _ in try ExampleWebSocketClient(port: port) }
        for (index, client) in clients.enumerated() {
            try client.send(command(["cmd": "add_group", "group_id": index < 30 ? "123" : "456"]))
        }
        // Client 0 also joins three groups alone: closing it must clean all of them (the seed's
        // onClose checks only the last group for emptiness).
        for group in ["777", "778", "779"] { try clients[0].send(command(["cmd": "add_group", "group_id": group])) }
        let pids = try clients.map { try pid(of: $0) }  // also a barrier: every add_group is done
        XCTAssertEqual(Set(pids).count, 4, "40 clients over the 4 processes: \(pids)")

        // A non-member publishes; the 30 members in all 4 processes get the raw text once, no one else.
        let message = "这个是消息"
        try clients[35].send(command(["cmd": "send_to_group", "group_id": "123", "message": message]))
        for (index, client) in clients.enumerated() where index < 30 {
            XCTAssertEqual(try client.receive(), message, "member \(index) (pid \(pids[index]))")
        }
        for (index, client) in clients.enumerated() {
            XCTAssertEqual(try client.messagesArriving(within: index == 0 ? 0.3 : 0.01), [], "client \(index): no more")
        }
        XCTAssertTrue(server.eventually { server.lines(containing: "groups after \(message):").count == 4 }, server.log)
        let sizes = server.lines(containing: "groups after \(message):").flatMap { $0.split(separator: " ") }
        XCTAssertEqual(sizes.filter { $0.hasPrefix("123=") }.compactMap { Int($0.dropFirst(4)) }.reduce(0, +), 30)

        // Client 0 closes: it leaves 123, 777, 778 and 779; the emptied groups go away.
        clients[0].close()
        usleep(200_000)
        let second = "second message"
        try clients[35].send(command(["cmd": "send_to_group", "group_id": "123", "message": second]))
        for (index, client) in clients.enumerated() where index > 0 && index < 30 {
            XCTAssertEqual(try client.receive(), second, "member \(index)")
        }
        XCTAssertTrue(server.eventually { server.lines(containing: "groups after \(second):").count == 4 }, server.log)
        let report = server.lines(containing: "groups after \(second):")
        XCTAssertFalse(report.contains { $0.contains(" 77") }, "groups 777-779 dropped once empty:\n\(report)")
        let members = report.flatMap { $0.split(separator: " ") }.filter { $0.hasPrefix("123=") }
        XCTAssertEqual(members.compactMap { Int($0.dropFirst(4)) }.reduce(0, +), 29, "\(report)")

        // A group whose only member left: the message goes to nobody, and nothing breaks.
        try clients[35].send(command(["cmd": "send_to_group", "group_id": "777", "message": "to nobody"]))
        XCTAssertTrue(server.eventually { server.lines(containing: "groups after to nobody:").count == 4 }, server.log)
        for (index, client) in clients.enumerated() where index > 0 {
            XCTAssertEqual(try client.messagesArriving(within: index == 1 ? 0.3 : 0.01), [], "client \(index)")
            client.close()
        }
        XCTAssertEqual(server.workerPIDs.count, processes, "4 websocket processes (+ the Channel server), none crashed")
    }

    /// The seed's browser snippet, by Python `websockets`: join, then send to the group at once, on
    /// the same connection; the message comes back exactly once.
    func testTheSeedsBrowserSnippetWithPythonWebsockets() throws {
        try OutsidePeer.requirePythonModule("websockets", install: ".ci/deps/websocket.sh installs it")
        let server = try ExampleServer("group-push", environment: ["WS_PORT": "0", "CHANNEL_PORT": "0"])
        self.server = server
        let port = try server.port("websocket")
        XCTAssertTrue(server.eventually { server.workerPIDs.count == 5 })
        let script = """
            import asyncio, json, websockets
            async def main():
                async with websockets.connect("ws://127.0.0.1:\(port)/") as ws:
                    # First, until this process's Channel subscription is in place: a group of its own.
                    await ws.send(json.dumps({"cmd": "add_group", "group_id": "ready"}))
                    for attempt in range(50):
                        await ws.send(json.dumps({"cmd": "send_to_group", "group_id": "ready", "message": "ready"}))
                        try:
                            await asyncio.wait_for(ws.recv(), 0.2)
                            break
                        except asyncio.TimeoutError:
                            pass
                    try:
                        while True:
                            await asyncio.wait_for(ws.recv(), 0.5)  # late answers to earlier attempts
                    except asyncio.TimeoutError:
                        pass
                    # The seed's onopen: join, and send to the group at once.
                    await ws.send(json.dumps({"cmd": "add_group", "group_id": "123"}))
                    await ws.send(json.dumps({"cmd": "send_to_group", "group_id": "123", "message": "这个是消息"}))
                    print("got", await asyncio.wait_for(ws.recv(), 5))
                    try:
                        print("extra", await asyncio.wait_for(ws.recv(), 0.5))
                    except asyncio.TimeoutError:
                        print("nothing more")
            asyncio.run(asyncio.wait_for(main(), 30))
            """
        let result = try ServerProcess.run("/usr/bin/env", ["python3", "-c", script], timeout: 40)
        XCTAssertEqual(result.status, 0, result.output)
        XCTAssertTrue(result.output.contains("got 这个是消息\nnothing more"), result.output)
    }
}
