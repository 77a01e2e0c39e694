import Foundation
import WorkermanTestSupport
import XCTest

/// The `chat` example as a real program: its page over HTTP, and Python `websockets` clients served
/// by different websocket processes talking in a room through Channel.
final class ChatExampleTests: XCTestCase {
    private var server: ExampleServer?

    override func tearDown() {
        server?.stop()
        server = nil
        super.tearDown()
    }

    /// Starts chat with every port picked by the kernel; the page's /config.js (served by the http
    /// process) tells the websocket port the master picked for the reusePort websocket Worker.
    private func start() throws -> (http: Int, ws: Int) {
        let server = try ExampleServer("chat", environment: ["HTTP_PORT": "0", "WS_PORT": "0", "CHANNEL_PORT": "0"])
        self.server = server
        return (try server.port("http"), try server.port("websocket"))
    }

    func testThePageAndItsConfigAreServed() throws {
        let ports = try start()
        let page = try ExampleServer.http(port: ports.http, "/")
        XCTAssertEqual(page.status, 200)
        XCTAssertTrue(page.body.contains("<title>swift-workerman chat</title>"), page.body)
        XCTAssertTrue(page.body.contains(#"<script src="/config.js"></script>"#))
        let config = try ExampleServer.http(port: ports.http, "/config.js")
        XCTAssertEqual(config.body, "window.CHAT_CONFIG = { wsPort: \(ports.ws) };\n")
        XCTAssertEqual(try ExampleServer.http(port: ports.http, "/nope").status, 404)
    }

    func testUsersServedByDifferentProcessesTalkInARoom() throws {
        try OutsidePeer.requirePythonModule("websockets", install: ".ci/deps/websocket.sh installs it")
        let ports = try start()
        let script = """
            import asyncio, json, websockets
            URL = "ws://127.0.0.1:\(ports.ws)/"

            async def expect(ws, kind, **fields):
                # The next event of this kind with these fields (others, e.g. join notices, are skipped).
                while True:
                    event = json.loads(await asyncio.wait_for(ws.recv(), 5))
                    if event["type"] == kind and all(event.get(k) == v for k, v in fields.items()):
                        return event

            async def join(name, room):
                # Joins and waits for its own join notice, which has come back through Channel: this
                # process's subscription is in place.
                ws = await websockets.connect(URL)
                for attempt in range(50):
                    await ws.send(json.dumps({"type": "join", "room": room, "name": name}))
                    welcome = await expect(ws, "welcome")
                    try:
                        await expect(ws, "join", name=name)
                        return ws, welcome["worker_id"]
                    except asyncio.TimeoutError:
                        pass
                raise SystemExit("no join notice for " + name)

            async def quiet(ws, seconds):
                try:
                    event = await asyncio.wait_for(ws.recv(), seconds)
                    raise SystemExit("unexpected: " + event)
                except asyncio.TimeoutError:
                    pass

            async def main():
                alice, alice_worker = await join("alice", "swift")
                # Bob reconnects until a process other than Alice's serves him.
                for attempt in range(40):
                    bob, bob_worker = await join("bob", "swift")
                    if bob_worker != alice_worker:
                        break
                    await bob.close()
                    await expect(alice, "leave", name="bob")
                assert bob_worker != alice_worker, "always the same process"
                print("alice on", alice_worker, "bob on", bob_worker)
                await expect(alice, "join", name="bob")
                carol, _ = await join("carol", "other")

                await alice.send(json.dumps({"type": "say", "text": "hello from alice ✓"}))
                got = await expect(bob, "say")
                assert (got["name"], got["text"], got["room"]) == ("alice", "hello from alice ✓", "swift"), got
                assert isinstance(got["time"], int), got
                await expect(alice, "say", name="alice")  # the sender sees its own message too
                await bob.send(json.dumps({"type": "say", "text": "hi alice"}))
                got = await expect(alice, "say")
                assert (got["name"], got["text"]) == ("bob", "hi alice"), got
                await expect(bob, "say", name="bob")
                await quiet(carol, 0.3)  # another room hears nothing
                print("messages crossed processes")

                await bob.send(json.dumps({"type": "say", "text": "   "}))  # blank: ignored
                await bob.send("not json")
                assert (await expect(bob, "error"))["text"].startswith("send JSON"), "error"
                await carol.send(json.dumps({"type": "join", "room": "swift", "name": "carol"}))
                await expect(alice, "join", name="carol")
                await bob.close()
                left = await expect(alice, "leave")
                assert left["name"] == "bob", left
                print("leave notice seen")
                await alice.close()
                await carol.close()

            asyncio.run(asyncio.wait_for(main(), 60))
            """
        let result = try ServerProcess.run("/usr/bin/env", ["python3", "-c", script], timeout: 70)
        XCTAssertEqual(result.status, 0, result.output + "\n" + server!.log)
        XCTAssertTrue(result.output.contains("messages crossed processes"), result.output)
        XCTAssertTrue(result.output.contains("leave notice seen"), result.output)
    }
}
