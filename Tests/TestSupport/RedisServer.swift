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
    /// The certificate and key it serves TLS with (on `port`, plain TCP off); nil: plain TCP.
    public let tls: (certificate: String, key: String)?
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

    /// Returns when redis-server and redis-cli are installed; otherwise skips the test (fails it
    /// under CI=true, where .ci/deps/redis.sh installs them).
    public static func require() throws {
        try OutsidePeer.require(
            program("redis-server") != nil && program("redis-cli") != nil,
            "redis-server is not installed (.ci/deps/redis.sh)")
    }

    /// Starts a server with extra command-line options (`["--requirepass", "secret"]`); with `tls`,
    /// a self-signed certificate for 127.0.0.1 is made in its directory and `port` speaks TLS only.
    public init(arguments: [String] = [], tls: Bool = false) throws {
        port = ExampleServer.freePort()
        directory =
            FileManager.default.temporaryDirectory.appendingPathComponent(
                "workerman-redis-\(UUID().uuidString)"
            ).path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        extraArguments = arguments
        if tls {
            let (certificate, key) = (directory + "/cert.pem", directory + "/key.pem")
            let made = try ServerProcess.run(
                "/usr/bin/env",
                [
                    "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout", key, "-out", certificate,
                ])
            guard made.status == 0 else { throw BlockingClient.Failure("openssl: \(made.output)") }
            self.tls = (certificate, key)
        } else {
            self.tls = nil
        }
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
        var tlsArguments: [String] = []
        if let tls {
            tlsArguments = [
                "--port", "0", "--tls-port", "\(port)", "--tls-cert-file", tls.certificate, "--tls-key-file", tls.key,
                "--tls-ca-cert-file", tls.certificate, "--tls-auth-clients", "no",
            ]
        }
        let started = try ServerProcess(server, arguments: arguments + tlsArguments + extraArguments)
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
