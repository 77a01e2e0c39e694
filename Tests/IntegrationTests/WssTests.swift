import Foundation
import Glibc
import WorkermanTestSupport
import XCTest

/// wss: ws-echo over TLS with Python `websockets` as the client, and our wss client against a
/// Python `websockets` TLS server.
final class WssTests: XCTestCase {
    private var directory = ""
    private var processes: [ServerProcess] = []

    override func setUpWithError() throws {
        try OutsidePeer.requirePythonModule("websockets", install: ".ci/deps/websocket.sh installs it")
        directory = NSTemporaryDirectory() + "workerman-wss-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let made = try ServerProcess.run(
            "/usr/bin/openssl",
            [
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost",
                "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout", directory + "/key.pem", "-out",
                directory + "/cert.pem",
            ])
        XCTAssertEqual(made.status, 0, made.output)
    }

    override func tearDown() {
        for process in processes { process.stopGracefully() }
        try? FileManager.default.removeItem(atPath: directory)
        super.tearDown()
    }

    func testPythonWebsocketsTalksToWsEchoOverTLS() throws {
        let server = try ServerProcess(
            "ws-echo",
            environment: [
                "WS_PORT": "0", "WORKERMAN_RUNTIME_DIR": directory, "TLS_CERT": directory + "/cert.pem",
                "TLS_KEY": directory + "/key.pem",
            ])
        processes.append(server)
        guard let port = server.port(of: "websocket") else { return XCTFail(server.log) }
        let script = """
            import asyncio, ssl, sys
            from websockets.asyncio.client import connect
            async def main():
                context = ssl.create_default_context(cafile=sys.argv[2])
                async with connect(f"wss://127.0.0.1:{sys.argv[1]}/", ssl=context) as ws:
                    await ws.send("secure text")
                    print(await ws.recv())
                    await ws.send(b"\\x00\\x01binary")
                    print(await ws.recv())
            asyncio.run(main())
            """
        let result = try ServerProcess.run(
            "/usr/bin/env", ["python3", "-c", script, "\(port)", directory + "/cert.pem"])
        XCTAssertEqual(result.status, 0, result.output + server.log)
        XCTAssertEqual(result.output, "secure text\nb'\\x00\\x01binary'\n")
    }

    func testOurWssClientAgainstAPythonTLSWebSocketServer() throws {
        let script = """
            import asyncio, ssl, sys
            from websockets.asyncio.server import serve
            async def echo(ws):
                async for message in ws:
                    await ws.send("python says " + message)
            async def main():
                context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
                context.load_cert_chain(sys.argv[1] + "/cert.pem", sys.argv[1] + "/key.pem")
                async with serve(echo, "127.0.0.1", 0, ssl=context) as server:
                    print("port", server.sockets[0].getsockname()[1], flush=True)
                    await asyncio.sleep(30)
            asyncio.run(main())
            """
        let python = try ServerProcess("/usr/bin/env", arguments: ["python3", "-c", script, directory])
        processes.append(python)
        XCTAssertTrue(python.waitFor("port "), python.log)
        let port = Int(python.log.components(separatedBy: "port ").last?.prefix { $0.isNumber } ?? "") ?? 0
        let client = try ServerProcess(
            "probe-ws-client",
            environment: ["URL": "wss://127.0.0.1:\(port)/", "CA_FILE": directory + "/cert.pem", "MESSAGE": "hello"])
        processes.append(client)
        XCTAssertEqual(client.waitForExit(timeout: 10), 0, client.log)
        XCTAssertTrue(client.log.contains("received: python says hello"), client.log)
    }
}
