import Foundation
import Glibc
import WorkermanGateway
import WorkermanTestSupport
import XCTest

/// Ports and waits shared by the Gateway process tests.
enum GatewayTestSupport {
    /// A port `p` such that `p` and `p + 1` are both free now (for two gateway processes' internal
    /// ports), below the kernel's ephemeral range when there is room: a port in that range can be
    /// taken, between this check and the gateway's listen, as the local port of any outgoing
    /// connection (the tree's own business workers connecting to its register, for one), and then
    /// stays taken as long as that connection lives.
    static func freePortPair() -> Int {
        let firstEphemeral = ephemeralPortRange().lowerBound
        if firstEphemeral > 10_002 {
            for _ in 0..<100 {
                let port = Int.random(in: 10_000...(firstEphemeral - 2))
                if canBind(port), canBind(port + 1) { return port }
            }
        }
        for _ in 0..<50 {
            let port = ExampleServer.freePort()
            if port < 65_000, canBind(port + 1) { return port }
        }
        return ExampleServer.freePort()
    }

    /// The ports the kernel picks local ports of outgoing connections and `bind` to port 0 from.
    static func ephemeralPortRange() -> ClosedRange<Int> {
        let text = (try? String(contentsOfFile: "/proc/sys/net/ipv4/ip_local_port_range", encoding: .utf8)) ?? ""
        let bounds = text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).compactMap { Int($0) }
        guard bounds.count == 2, bounds[0] <= bounds[1] else { return 32_768...60_999 }
        return bounds[0]...bounds[1]
    }

    static func canBind(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
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

    init(port: Int, host: String = "127.0.0.1") throws {
        socket = try BlockingClient(port: port, host: host, timeout: 10)
    }

    func send(_ line: String) throws { try socket.send(line + "\n") }

    /// The next line.
    func receive() throws -> String {
        while true {
            if let newline = pending.firstIndex(of: "\n") {
                let line = String(pending[..<newline])
                pending = String(pending[pending.index(after: newline)...])
                return line
            }
            let bytes = try socket.receiveSome()
            guard !bytes.isEmpty else { throw BlockingClient.Failure("the server closed the connection") }
            pending += String(decoding: bytes, as: UTF8.self)
        }
    }

    /// Sends `line` and returns the answer.
    func ask(_ line: String) throws -> String {
        try send(line)
        return try receive()
    }

    func close() { socket.close() }
}

/// The gateway-probe fixture started as one process tree with the given roles.
struct ProbeCluster {
    let server: ExampleServer
    /// The text gateway's client port.
    let textPort: Int
    /// The register's port (this tree's, or the one it was pointed at).
    let registerPort: Int
    /// The first gateway process's internal port.
    let startPort: Int

    init(roles: String = "all", environment: [String: String] = [:], register existing: Int? = nil) throws {
        let register = existing ?? ExampleServer.freePort()
        let text = ExampleServer.freePort()
        startPort = GatewayTestSupport.freePortPair()
        var settings = [
            "ROLE": roles, "REGISTER_PORT": "\(register)", "START_PORT": "\(startPort)",
            "GATEWAY_COUNT": "2", "BUSINESS_COUNT": "4", "TEXT_PORT": "\(text)",
        ]
        settings.merge(environment) { $1 }
        server = try ExampleServer("gateway-probe", environment: settings)
        textPort = text
        registerPort = register
    }

    /// Waits until a client line is answered with `expected` (the business workers are there).
    func waitUntilAnswering(_ expected: String, line: String = "hello", host: String = "127.0.0.1") -> Bool {
        let ready = GatewayTestSupport.eventually { () -> Bool? in
            let probe = try LineClient(port: textPort, host: host)
            defer { probe.close() }
            return try probe.ask(line) == expected ? true : nil
        }
        usleep(300_000)  // every business worker connected to both gateways
        return ready == true
    }

    /// Waits until the gateways of this tree's register (no secret key) hold no client: a probe's
    /// close (`waitUntilAnswering`) reaches its gateway process asynchronously, and a test counting
    /// its own clients must not count it.
    func waitUntilNoClient() -> Bool {
        let api = GatewayClient(registerAddress: ["127.0.0.1:\(registerPort)"])
        return GatewayTestSupport.eventually { try api.getAllClientIdCount() == 0 ? true : nil } == true
    }
}

/// A test case with one probe cluster and its line clients, all stopped and closed when the test ends.
class ProbeClusterTestCase: XCTestCase {
    var cluster: ProbeCluster?
    var clients: [LineClient] = []

    override func tearDown() {
        for client in clients { client.close() }
        cluster?.server.stop()
        clients = []
        cluster = nil
        super.tearDown()
    }
}
