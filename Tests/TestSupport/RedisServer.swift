import Foundation
import Glibc

/// A `redis-server` of a test's own: a free port, a unix socket and a data directory in a fresh
/// temporary directory, no persistence, killed by pid in `stop()` (and on deinit).
public final class RedisServer {
    /// The TCP port it listens on (127.0.0.1).
    public let port: Int
    /// Its temporary directory (working directory, unix socket).
    public let directory: String
    private let extraArguments: [String]
    private var process: ServerProcess?

    /// The unix socket's path.
    public var unixSocket: String { directory + "/redis.sock" }
    /// `redis://127.0.0.1:<port>`.
    public var url: String { "redis://127.0.0.1:\(port)" }
    /// The server's process id, while it runs.
    public var pid: pid_t? { process?.process.isRunning == true ? process?.process.processIdentifier : nil }

    /// The path of an installed Redis program (`redis-server`, `redis-cli`), or nil.
    public static func program(_ name: String) -> String? {
        for directory in ["/usr/bin", "/usr/local/bin", "/usr/sbin"] {
            let path = "\(directory)/\(name)"
            if access(path, X_OK) == 0 { return path }
        }
        return nil
    }

    /// True when redis-server is installed; false when not (the test skips). Under `CI=true` a
    /// missing redis-server throws instead, so that CI fails rather than skips (.ci/deps/redis.sh
    /// installs it).
    public static func isAvailable() throws -> Bool {
        if program("redis-server") != nil && program("redis-cli") != nil { return true }
        if ProcessInfo.processInfo.environment["CI"] == "true" {
            throw BlockingClient.Failure("redis-server is not installed (run .ci/deps/redis.sh)")
        }
        return false
    }

    /// Starts a server with extra command-line options (`["--requirepass", "secret"]`).
    public init(arguments: [String] = []) throws {
        port = ExampleServer.freePort()
        directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "workerman-redis-\(UUID().uuidString)"
        ).path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        extraArguments = arguments
        try start()
    }

    /// Starts the server again (after `kill()`), on the same port and socket, empty.
    public func start() throws {
        guard let server = Self.program("redis-server") else { throw BlockingClient.Failure("no redis-server") }
        let arguments = [
            "--port", "\(port)", "--bind", "127.0.0.1", "--unixsocket", unixSocket, "--unixsocketperm", "700",
            "--dir", directory, "--save", "", "--appendonly", "no", "--daemonize", "no", "--logfile", "",
            "--enable-debug-command", "yes",
        ]
        let started = try ServerProcess(server, arguments: arguments + extraArguments)
        process = started
        guard started.waitFor("Ready to accept connections", timeout: 20) else {
            let log = started.log
            started.stop()
            throw BlockingClient.Failure("redis-server did not start: \(log)")
        }
    }

    /// Kills the server at once (SIGKILL) and waits for it to exit.
    public func kill() {
        process?.stop()
        process = nil
    }

    /// Sends `signal` (SIGSTOP to freeze it, SIGCONT to resume).
    public func signal(_ signal: Int32) { process?.signal(signal) }

    /// Runs `redis-cli` against the server and returns its output without the final newline.
    @discardableResult
    public func cli(_ arguments: String...) throws -> String {
        guard let cli = Self.program("redis-cli") else { throw BlockingClient.Failure("no redis-cli") }
        let (status, output) = try ServerProcess.run(cli, ["-p", "\(port)"] + arguments)
        guard status == 0 else { throw BlockingClient.Failure("redis-cli \(arguments): \(output)") }
        return output.hasSuffix("\n") ? String(output.dropLast()) : output
    }

    /// Kills the server and removes its directory.
    public func stop() {
        kill()
        try? FileManager.default.removeItem(atPath: directory)
    }

    deinit { stop() }
}
