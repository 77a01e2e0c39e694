import Foundation
import Glibc

/// Steady keep-alive HTTP load for tests: `connections` threads, each sending `GET path` on one
/// keep-alive connection after another, recording every request's outcome and the worker pid that
/// answered it (from an `X-Worker-Pid` header, when the server sends one). A response with
/// `Connection: close` is followed by a new connection, as any HTTP client does; a request that
/// gets no complete response (an error, a reset, a close, a timeout) is a failure.
public final class KeepAliveLoad: @unchecked Sendable {
    /// What the load saw.
    public struct Tally: Sendable {
        /// Requests written.
        public var sent = 0
        /// Requests that got a complete response.
        public var answered = 0
        /// Requests that did not, and why (one line each).
        public var failures: [String] = []
        /// Responses that said `Connection: close`.
        public var closedByServer = 0
        /// Answered requests per worker pid.
        public var answeredBy: [String: Int] = [:]
        /// Failed requests per worker pid of the connection they were sent on ("?" before any answer).
        public var failedOn: [String: Int] = [:]

        /// The number of failed requests.
        public var failed: Int { failures.count }
    }

    private let port: Int
    private let path: String
    private let timeout: Double
    private let tally = Shared(Tally())
    private let running = Shared(true)
    private var threads: [Background] = []

    /// Starts the load at once.
    public init(port: Int, connections: Int, path: String = "/", timeout: Double = 30) {
        self.port = port
        self.path = path
        self.timeout = timeout
        for _ in 0..<connections { threads.append(Background { [self] in run() }) }
    }

    /// What was recorded so far.
    public var current: Tally { tally.value }

    /// Stops every thread after its request in flight and returns the totals.
    public func stop() -> Tally {
        running.value = false
        _ = spinLoop(timeout: timeout + 5) { threads.allSatisfy(\.isFinished) }
        return tally.value
    }

    private func run() {
        var client: BlockingClient?
        var pid = "?"
        while running.value {
            if client == nil {
                do {
                    client = try BlockingClient(port: port, timeout: timeout)
                    pid = "?"
                } catch {
                    tally.modify { $0.failures.append("connect: \(error)") }
                    usleep(10_000)
                    continue
                }
            }
            tally.modify { $0.sent += 1 }
            do {
                try client!.send("GET \(path) HTTP/1.1\r\nHost: localhost\r\n\r\n")
                let head = try readResponse(client!)
                if let answering = Self.header("X-Worker-Pid", in: head) { pid = answering }
                let closes = Self.header("Connection", in: head)?.lowercased() == "close"
                tally.modify {
                    $0.answered += 1
                    $0.answeredBy[pid, default: 0] += 1
                    if closes { $0.closedByServer += 1 }
                }
                if closes {
                    client!.close()
                    client = nil
                }
            } catch {
                tally.modify {
                    $0.failures.append("\(error) (pid \(pid))")
                    $0.failedOn[pid, default: 0] += 1
                }
                client!.close()
                client = nil
            }
        }
        client?.close()
    }

    /// Reads one response (head and Content-Length body); returns the head.
    private func readResponse(_ client: BlockingClient) throws -> String {
        var bytes: [UInt8] = []
        let end: [UInt8] = Array("\r\n\r\n".utf8)
        while true {
            if let range = Self.find(end, in: bytes) {
                let head = String(decoding: bytes[..<range], as: UTF8.self)
                guard head.hasPrefix("HTTP/1.1 ") else { throw BlockingClient.Failure("not a response: \(head)") }
                let length = Int(Self.header("Content-Length", in: head) ?? "0") ?? 0
                var have = bytes.count - range - 4
                while have < length {
                    let chunk = try client.receiveSome(max: length - have)
                    guard !chunk.isEmpty else { throw BlockingClient.Failure("closed inside a body") }
                    have += chunk.count
                }
                return head
            }
            let chunk = try client.receiveSome(max: 4096)
            guard !chunk.isEmpty else {
                throw BlockingClient.Failure(bytes.isEmpty ? "closed before a response" : "closed inside a head")
            }
            bytes += chunk
        }
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for start in 0...(haystack.count - needle.count)
        where haystack[start..<start + needle.count].elementsEqual(needle) {
            return start
        }
        return nil
    }

    /// The value of header `name` in `head`, if present.
    public static func header(_ name: String, in head: String) -> String? {
        let prefix = name.lowercased() + ":"
        for line in head.split(separator: "\r\n") where line.lowercased().hasPrefix(prefix) {
            return line.dropFirst(prefix.count).trimmingCharacters(in: .whitespaces)
        }
        return nil
    }
}
