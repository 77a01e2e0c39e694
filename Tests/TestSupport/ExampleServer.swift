import Foundation
import Glibc

/// An example program started for an end-to-end test: its own runtime directory (so its pid file
/// and log stay out of everyone's way), the ports it is given through the environment (usually 0),
/// and a stop that signals the master and then kills it.
public final class ExampleServer {
    /// The running master process.
    public let process: ServerProcess
    /// Where the pid file and the log go (WORKERMAN_RUNTIME_DIR), removed by `stop`.
    public let runtimeDirectory: String

    /// Starts `product` with `start` and `environment` (plus a fresh WORKERMAN_RUNTIME_DIR).
    public init(_ product: String, environment: [String: String]) throws {
        runtimeDirectory = NSTemporaryDirectory() + "workerman-\(product)-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: runtimeDirectory, withIntermediateDirectories: true)
        process = try ServerProcess(
            product, environment: environment.merging(["WORKERMAN_RUNTIME_DIR": runtimeDirectory]) { $1 })
    }

    /// The port printed for `scheme` ("websocket", "http", "frame", ...) in the start banner or a
    /// later line, once something accepts connections on it; throws with the output so far when that
    /// does not happen within `timeout` seconds. (A `reusePort` Worker's processes bind the port
    /// themselves, a moment after the banner.)
    public func port(_ scheme: String, timeout: Double = 15) throws -> Int {
        let deadline = Date().addingTimeInterval(timeout)
        guard let port = process.port(of: scheme, timeout: timeout) else {
            throw BlockingClient.Failure("no \(scheme):// port from \(process.executable):\n\(process.log)")
        }
        while true {
            if let probe = try? BlockingClient(port: port) {
                probe.close()
                return port
            }
            guard Date() < deadline, process.process.isRunning else {
                throw BlockingClient.Failure("nothing accepts on \(scheme) port \(port):\n\(process.log)")
            }
            usleep(20_000)
        }
    }

    /// Everything printed so far.
    public var log: String { process.log }

    /// The printed lines that contain `text`.
    public func lines(containing text: String) -> [String] {
        log.split(separator: "\n").map(String.init).filter { $0.contains(text) }
    }

    /// Waits (at most `timeout` seconds) until `condition` holds; true if it did.
    public func eventually(timeout: Double = 10, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if condition() { return true }
            usleep(20_000)
        }
        return condition()
    }

    /// The master's worker processes.
    public var workerPIDs: [pid_t] { ProcessTable.children(of: process.process.processIdentifier) }

    /// SIGINT to the master (a stop), then SIGKILL if it is still there after 5 s; removes the
    /// runtime directory. Safe to call twice.
    public func stop() {
        process.stopGracefully()
        try? FileManager.default.removeItem(atPath: runtimeDirectory)
    }

    /// A TCP port nobody listens on right now (bound to 0 and released), for the rare program that
    /// must be told a fixed port; port 0 is better wherever it works.
    public static func freePort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer -> Int32 in
                _ = bind(fd, pointer, length)
                return getsockname(fd, pointer, &length)
            }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// One HTTP/1.1 request with `Connection: close`; returns the status code and the body.
    public static func http(
        port: Int, _ target: String, method: String = "GET", body: String = "",
        contentType: String = "application/x-www-form-urlencoded"
    ) throws -> (status: Int, body: String) {
        let client = try BlockingClient(port: port)
        defer { client.close() }
        var request = "\(method) \(target) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
        if method != "GET" { request += "Content-Type: \(contentType)\r\nContent-Length: \(body.utf8.count)\r\n" }
        try client.send(request + "\r\n" + body)
        let response = try client.receiveAll()
        guard let split = response.range(of: "\r\n\r\n") else {
            throw BlockingClient.Failure("no HTTP response head in: \(response)")
        }
        let status = Int(response.split(separator: " ").dropFirst().first ?? "") ?? 0
        return (status, String(response[split.upperBound...]))
    }
}

/// A websocket client for example tests: the handshake, then text messages in and out, with every
/// wait bounded. (Built on `WebSocketTestClient`; pings are skipped.) Use it from one thread at a time.
public final class ExampleWebSocketClient: @unchecked Sendable {
    /// The underlying frame-level client.
    public let client: WebSocketTestClient

    /// Connects to 127.0.0.1:`port` and completes the handshake (101 expected).
    public init(port: Int, path: String = "/", timeout: Double = 5) throws {
        client = try WebSocketTestClient(port: port, timeout: timeout)
        let head = try client.handshake(path: path)
        guard head.hasPrefix("HTTP/1.1 101") else { throw BlockingClient.Failure("handshake refused: \(head)") }
    }

    /// Sends `text` as one masked text frame.
    public func send(_ text: String) throws { try client.send(.text(text)) }

    /// The next text message (within the client's timeout); throws on a close frame or at the end.
    public func receive() throws -> String {
        while true {
            let frame = try client.receive()
            switch frame.opcode {
            case 1: return String(decoding: frame.payload, as: UTF8.self)
            case 8:
                throw BlockingClient.Failure(
                    "closed by the server with code \(frame.closeCode.map(String.init) ?? "none")")
            default: continue  // ping, pong
            }
        }
    }

    /// The text messages that arrive within `seconds` (none expected, usually).
    public func messagesArriving(within seconds: Double) throws -> [String] {
        var messages: [String] = []
        let deadline = Date().addingTimeInterval(seconds)
        while true {
            let left = max(0, Int(deadline.timeIntervalSinceNow * 1000))
            var entry = pollfd(fd: client.socket.fd, events: Int16(POLLIN), revents: 0)
            guard poll(&entry, 1, Int32(left)) > 0 else { return messages }
            messages.append(try receive())
        }
    }

    /// The close code of the close frame the server sends next (nil when it sent no code).
    public func receiveClose() throws -> UInt16? { try client.receiveClose() }

    /// Closes the socket (no close frame: as a page that is simply gone).
    public func close() { client.close() }
}
