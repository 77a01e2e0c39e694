import Foundation
import Glibc

/// An example executable started as a real process for a test, killed by pid when the test ends.
public final class ServerProcess {
    public let process = Process()
    private let output: URL
    public let executable: String

    /// The directory holding the package's built products (next to the test bundle).
    public static var productsDirectory: URL {
        var url = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        if url.lastPathComponent.hasSuffix(".xctest") { url.deleteLastPathComponent() }
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? ""
        if !exe.isEmpty { url = URL(fileURLWithPath: exe).deletingLastPathComponent() }
        return url
    }

    /// The path of a product of this package.
    public static func product(_ name: String) -> String { productsDirectory.appendingPathComponent(name).path }

    /// Starts `name` (a product of this package, or a path) with `arguments` and extra environment.
    public init(_ name: String, arguments: [String] = ["start"], environment: [String: String] = [:]) throws {
        executable = name.hasPrefix("/") ? name : Self.product(name)
        output = FileManager.default.temporaryDirectory.appendingPathComponent(
            "workerman-test-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        let handle = try FileHandle(forWritingTo: output)
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
    }

    /// Runs `executable` with `arguments` to completion (at most `timeout` seconds) and returns its
    /// exit status and output.
    public static func run(
        _ executable: String, _ arguments: [String], environment: [String: String] = [:], timeout: Double = 15
    ) throws -> (status: Int32, output: String) {
        let process = Process()
        let pipe = Pipe()
        process.executableURL = URL(fileURLWithPath: executable.hasPrefix("/") ? executable : product(executable))
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            throw BlockingClient.Failure("\(arguments) did not finish within \(timeout) s")
        }
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        return (process.terminationStatus, output)
    }

    /// Everything the process printed so far.
    public var log: String { (try? String(contentsOf: output, encoding: .utf8)) ?? "" }

    /// Waits until the output contains `text`; false on timeout.
    public func waitFor(_ text: String, timeout: Double = 10) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if log.contains(text) { return true }
            if !process.isRunning { return log.contains(text) }
            usleep(20_000)
        }
        return false
    }

    /// The port printed in the start banner for `scheme` ("text://0.0.0.0:PORT").
    public func port(of scheme: String, timeout: Double = 10) -> Int? {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let text = log
            if let range = text.range(of: "\(scheme)://0.0.0.0:") ?? text.range(of: "\(scheme)://127.0.0.1:") {
                let digits = text[range.upperBound...].prefix { $0.isNumber }
                if let port = Int(digits), port > 0 { return port }
            }
            if !process.isRunning { return nil }
            usleep(20_000)
        }
        return nil
    }

    /// Waits for the process to exit; returns its status, or nil on timeout.
    public func waitForExit(timeout: Double = 10) -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        return process.isRunning ? nil : process.terminationStatus
    }

    /// Sends `signal` to the process.
    public func signal(_ signal: Int32) { kill(process.processIdentifier, signal) }

    /// Kills the process (SIGKILL) if it still runs, and removes its log.
    public func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: output)
    }

    /// The graceful stop an operator would use (SIGINT), waited for up to `timeout` seconds, then
    /// `stop()` for whatever is left.
    public func stopGracefully(timeout: Double = 5) {
        if process.isRunning {
            signal(SIGINT)
            _ = waitForExit(timeout: timeout)
        }
        stop()
    }

    deinit { stop() }
}
