import CWorkermanEpoll
import Glibc

/// A child's wait status in words: "exit code 3", "killed by SIGKILL".
public struct ExitStatus: Hashable, CustomStringConvertible, Sendable {
    /// The raw status from waitpid (Workerman's `exit_status` column shows this number).
    public let raw: Int32

    /// Wraps a raw wait status.
    public init(raw: Int32) { self.raw = raw }

    /// True for a normal exit with code 0.
    public var isSuccess: Bool { raw == 0 }

    /// "exit code N", "killed by SIGNAME" or "status N".
    public var description: String {
        if cepoll_wifexited(raw) != 0 { return "exit code \(cepoll_wexitstatus(raw))" }
        if cepoll_wifsignaled(raw) != 0 { return "killed by \(Self.signalName(cepoll_wtermsig(raw)))" }
        return "status \(raw)"
    }

    /// "SIGKILL" for 9, and so on ("signal N" for the rest).
    public static func signalName(_ signal: Int32) -> String {
        let names: [Int32: String] = [
            SIGHUP: "SIGHUP", SIGINT: "SIGINT", SIGQUIT: "SIGQUIT", SIGILL: "SIGILL", SIGTRAP: "SIGTRAP",
            SIGABRT: "SIGABRT", SIGBUS: "SIGBUS", SIGFPE: "SIGFPE", SIGKILL: "SIGKILL", SIGUSR1: "SIGUSR1",
            SIGSEGV: "SIGSEGV", SIGUSR2: "SIGUSR2", SIGPIPE: "SIGPIPE", SIGALRM: "SIGALRM", SIGTERM: "SIGTERM",
        ]
        return names[signal] ?? "signal \(signal)"
    }
}
