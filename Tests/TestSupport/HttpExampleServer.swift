import Foundation

/// The `http-server` example started for a test with extra environment, on an ephemeral port.
public final class HttpExampleServer {
    /// The running process (killed by `stop` or when this object goes).
    public let process: ServerProcess
    /// The port it listens on.
    public let port: Int

    /// Starts `http-server` with `environment` added to `HTTP_PORT=0`.
    public init(environment: [String: String] = [:]) throws {
        process = try ServerProcess("http-server", environment: environment.merging(["HTTP_PORT": "0"]) { $1 })
        guard let port = process.port(of: "http") else {
            process.stop()
            throw BlockingClient.Failure("http-server did not start:\n\(process.log)")
        }
        self.port = port
    }

    /// The worker process's pid (the master's only child).
    public var workerPID: pid_t? { ProcessTable.children(of: process.process.processIdentifier).first }

    /// The worker's peak resident memory in KiB (VmHWM), or nil.
    public var workerPeakKilobytes: Int? {
        guard let worker = workerPID,
            let status = try? String(contentsOfFile: "/proc/\(worker)/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") })
        else { return nil }
        return Int(line.split(separator: " ").dropFirst().first ?? "")
    }

    /// Runs `tool` (found on PATH) with `arguments`, bounded by `timeout` seconds.
    public static func run(_ tool: String, _ arguments: [String], timeout: Double = 30) throws -> (Int32, String) {
        let result = try ServerProcess.run("/usr/bin/env", [tool] + arguments, timeout: timeout)
        return (result.status, result.output)
    }

    /// True when `python3 -c "import <module>"` works.
    public static func pythonHas(_ module: String) -> Bool {
        ((try? run("python3", ["-c", "import \(module)"]))?.0 ?? 1) == 0
    }

    /// Kills the server.
    public func stop() { process.stop() }
}
