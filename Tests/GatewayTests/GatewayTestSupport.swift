import Foundation
import Glibc
import WorkermanGateway
import WorkermanTestSupport
import XCTest

/// Ports and waits shared by the Gateway process tests.
enum GatewayTestSupport {
    /// A port `p` such that `p` and `p + 1` are both free now (for two gateway processes' internal ports).
    static func freePortPair() -> Int {
        for _ in 0..<50 {
            let port = ExampleServer.freePort()
            if port < 65_000, canBind(port + 1) { return port }
        }
        return ExampleServer.freePort()
    }

    static func canBind(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0
    }

    /// Repeats `attempt` until it returns a value (errors and nil mean "not yet"), at most `timeout` s.
    static func eventually<T>(timeout: Double = 20, _ attempt: () throws -> T?) -> T? {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let value = try? attempt() { return value }
            usleep(50_000)
        }
        return nil
    }
}

/// A text-protocol client of the probe gateway: lines out, lines in, every wait bounded.
final class LineClient {
    let socket: BlockingClient
    private var pending = ""

    init(port: Int, host: String = "127.0.0.1") throws { socket = try BlockingClient(port: port, host: host, timeout: 10) }

    func send(_ line: String) throws { try socket.send(line + "\n") }

    /// The next line.
    func receive() throws -> String {
        while true {
            if let newline = pending.firstIndex(of: "\n") {
                let line = String(pending[..<newline])
                pending = String(pending[pending.index(after: newline)...])
                return line
            }
            pending += String(decoding: try socket.receiveSome(), as: UTF8.self)
        }
    }

    /// Sends `line` and returns the answer.
    func ask(_ line: String) throws -> String {
        try send(line)
        return try receive()
    }

    func close() { socket.close() }
}
