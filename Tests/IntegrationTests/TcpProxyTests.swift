import Foundation
import Glibc
import WorkermanTestSupport
import XCTest

/// The tcp-proxy example in front of the text-echo example, both real processes.
final class TcpProxyTests: XCTestCase {
    private var processes: [ServerProcess] = []

    override func tearDown() {
        for process in processes {
            process.signal(SIGINT)
            _ = process.waitForExit(timeout: 5)
            process.stop()
        }
        super.tearDown()
    }

    func testTrafficFlowsThroughTheProxyBothWaysAndClosesFollow() throws {
        let runtime = NSTemporaryDirectory() + "workerman-proxy-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: runtime, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: runtime) }
        let echo = try ServerProcess(
            "text-echo", environment: ["PORT": "0", "JSONNL_PORT": "0", "WORKERMAN_RUNTIME_DIR": runtime])
        processes.append(echo)
        guard let echoPort = echo.port(of: "text") else { return XCTFail(echo.log) }
        let proxy = try ServerProcess(
            "tcp-proxy",
            environment: ["PORT": "0", "UPSTREAM": "127.0.0.1:\(echoPort)", "WORKERMAN_RUNTIME_DIR": runtime])
        processes.append(proxy)
        guard let proxyPort = proxy.port(of: "tcp") else { return XCTFail(proxy.log) }

        let client = try BlockingClient(port: proxyPort, timeout: 10)
        try client.send("through the proxy\n")
        XCTAssertEqual(try client.receive(untilSuffix: "\n"), "through the proxy\n")
        // A large burst both ways: 20,000 lines echoed back through two pipes.
        let lines = (0..<20_000).map { "line \($0) " + String(repeating: "x", count: 80) + "\n" }.joined()
        let writer = Background { try client.send(lines) }
        XCTAssertEqual(try client.receive(count: lines.utf8.count), Array(lines.utf8))
        XCTAssertTrue(spinWait { writer.isFinished })
        client.close()

        try FileManager.default.createDirectory(atPath: runtime + "/b", withIntermediateDirectories: true)
        let refused = try ServerProcess(
            "tcp-proxy", environment: ["PORT": "0", "UPSTREAM": "127.0.0.1:1", "WORKERMAN_RUNTIME_DIR": runtime + "/b"])
        processes.append(refused)
        if let port = refused.port(of: "tcp") {
            let orphan = try BlockingClient(port: port)
            XCTAssertEqual(try orphan.receiveUntilClosed().bytes, 0, "no upstream: the client is closed")
        }
    }

    private func spinWait(_ condition: () -> Bool) -> Bool {
        for _ in 0..<500 where !condition() { usleep(10_000) }
        return condition()
    }
}
