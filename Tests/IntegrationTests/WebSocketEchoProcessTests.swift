import Foundation
import Workerman
import WorkermanTestSupport
import XCTest

/// The `ws-echo` example started as a real process, driven by independent peers: Python's
/// `websockets` (a strict client), a raw client sending hostile frames, and our own `Ws` client;
/// and our `Ws` client against a Python `websockets` server.
final class WebSocketEchoProcessTests: XCTestCase {
    private var servers: [ServerProcess] = []
    private var runtimeDirectory = ""

    override func setUpWithError() throws {
        runtimeDirectory = NSTemporaryDirectory() + "ws-echo-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: runtimeDirectory, withIntermediateDirectories: true)
    }

    override func tearDown() {
        for server in servers { server.stopGracefully() }
        servers.removeAll()
        try? FileManager.default.removeItem(atPath: runtimeDirectory)
        Timer.delAll()
        super.tearDown()
    }

    private func startWsEcho() throws -> Int {
        let server = try ServerProcess(
            "ws-echo", environment: ["WS_PORT": "0", "WORKERMAN_RUNTIME_DIR": runtimeDirectory])
        servers.append(server)
        guard let port = server.port(of: "websocket") else {
            XCTFail("no port in the banner:\n\(server.log)")
            throw BlockingClient.Failure("ws-echo did not start")
        }
        return port
    }

    private func requirePythonWebsockets() throws {
        try OutsidePeer.requirePythonModule("websockets", install: ".ci/deps/websocket.sh installs it")
    }

    func testPythonWebsocketsClientEchoesTextBinaryFragmentsAndCompressedMessages() throws {
        try requirePythonWebsockets()
        let port = try startWsEcho()
        let script = """
            import asyncio, websockets
            async def main():
                async with websockets.connect("ws://127.0.0.1:\(port)/", max_size=2**24) as ws:
                    print("extensions", ws.response.headers.get("Sec-WebSocket-Extensions"))
                    await ws.send("héllo ✓")
                    reply = await ws.recv()
                    assert reply == "héllo ✓" and isinstance(reply, str), reply
                    await ws.send(b"\\x00\\xff")
                    assert await ws.recv() == b"\\x00\\xff"
                    big = bytes(range(256)) * 4096 * 4
                    await ws.send(big)
                    assert await ws.recv() == big
                    await ws.send(["frag", "men", "ted"])
                    assert await ws.recv() == "fragmented"
                    await asyncio.wait_for(await ws.ping(b"p"), 5)
                print("close", ws.close_code)
            asyncio.run(asyncio.wait_for(main(), 20))
            """
        let result = try ServerProcess.run("/usr/bin/env", ["python3", "-c", script], timeout: 30)
        XCTAssertEqual(result.status, 0, result.output)
        XCTAssertTrue(result.output.contains("extensions permessage-deflate"), result.output)
        XCTAssertTrue(result.output.contains("close 1000"), result.output)
    }

    func testHostileFramesGetTheirCloseCodesFromTheProcess() throws {
        let port = try startWsEcho()
        let cases: [(frame: [UInt8], code: UInt16)] = [
            (WebSocketTestFrame(opcode: 1, payload: [0xC0, 0x80]).encoded(), 1007),
            (WebSocketTestFrame.text("unmasked").encoded(mask: nil), 1002),
            (WebSocketTestFrame(opcode: 9, payload: Array(repeating: 0, count: 126)).encoded(), 1002),
            (WebSocketTestFrame(opcode: 1, reservedBits: 0x10).encoded(), 1002),
        ]
        for (frame, code) in cases {
            let client = try WebSocketTestClient(port: port)
            try client.handshake()
            try client.socket.send(frame)
            XCTAssertEqual(try client.receiveClose(), code)
            XCTAssertEqual(try client.socket.receiveUntilClosed().bytes, 0)
        }
        let oversized = try WebSocketTestClient(port: port, timeout: 20)
        try oversized.handshake()
        let header: [UInt8] = [0x82, 0xFF, 0, 0, 0, 0, 0x01, 0, 0, 1, 1, 2, 3, 4]  // 16 MiB + 1 byte, masked
        try oversized.socket.send(header)
        XCTAssertEqual(try oversized.receiveClose(), 1009, "over the example's 16 MiB limit")
    }

    func testOurWsClientAgainstWsEcho() throws {
        let port = try startWsEcho()
        try assertWsClientEchoes(url: "ws://127.0.0.1:\(port)/", compressed: true)
    }

    func testOurWsClientAgainstAPythonWebsocketsServer() throws {
        try requirePythonWebsockets()
        let script = """
            import asyncio, websockets
            async def echo(ws):
                async for message in ws:
                    await ws.send(message)
            async def main():
                async with websockets.serve(echo, "127.0.0.1", 0, max_size=2**24) as server:
                    print("websocket://127.0.0.1:%d" % server.sockets[0].getsockname()[1], flush=True)
                    await asyncio.sleep(60)
            asyncio.run(main())
            """
        let server = try ServerProcess("/usr/bin/env", arguments: ["python3", "-c", script])
        servers.append(server)
        guard let port = server.port(of: "websocket") else { return XCTFail("no port:\n\(server.log)") }
        try assertWsClientEchoes(url: "ws://127.0.0.1:\(port)/", compressed: true)
    }

    /// Connects a `Ws` client (this process's loop), sends from `onConnect` (before the handshake
    /// completes) and checks that text, binary and a 2 MiB message come back with their types.
    private func assertWsClientEchoes(url: String, compressed: Bool) throws {
        let connection = try AsyncTcpConnection(url)
        defer { connection.destroy() }
        connection.webSocket.perMessageDeflate = compressed
        connection.maxPackageSize = 16 << 20
        let large = [UInt8]((0..<(2 << 20)).map { UInt8(truncatingIfNeeded: $0 * 7) })
        var received: [Message] = []
        var errors: [String] = []
        connection.onError = { _, _, message in errors.append(message) }
        connection.onConnect = { connection in
            connection.send("text ✓")
            connection.send([0, 1, 255])
            connection.send(large)
        }
        connection.onMessage = { _, data in received.append(data) }
        connection.connect()
        XCTAssertTrue(spinLoop(timeout: 20) { received.count == 3 || !errors.isEmpty }, "\(received.count) messages")
        XCTAssertEqual(errors, [])
        XCTAssertEqual(received.first, .text("text ✓"))
        XCTAssertEqual(received.dropFirst().first, .binary([0, 1, 255]))
        XCTAssertEqual(received.last, .binary(large))
        XCTAssertEqual(connection.webSocket.response?.header("Sec-WebSocket-Extensions") != nil, compressed)
        connection.webSocket.close()
        XCTAssertTrue(spinLoop(timeout: 10) { connection.state == .closed })
        XCTAssertEqual(connection.webSocket.closeCode, 1000)
    }
}
