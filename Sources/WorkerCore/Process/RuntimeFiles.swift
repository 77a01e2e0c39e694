import Glibc

/// Where a program keeps its pid, status, lock and log files: next to each other, named after the
/// executable (`workerman.<name>.pid`), in a directory that survives /tmp cleaners:
/// 1. `$WORKERMAN_RUNTIME_DIR` when set;
/// 2. else the executable's own directory when it is writable;
/// 3. else `$XDG_RUNTIME_DIR/workerman`, `/run/workerman` for root, or `~/.workerman`.
/// `Worker.pidFile` and `Worker.logFile`, when set in code, win for those two files.
struct RuntimeFiles {
    let pid: String
    let lock: String
    let status: String
    let connections: String
    let log: String
    let startFile: String

    static func current() -> RuntimeFiles {
        let executable = Executable.path
        let name = String(executable.split(separator: "/").last ?? "workerman")
        let directory = runtimeDirectory(executableDirectory: String(executable.dropLast(name.count + 1)))
        let pid = Worker.pidFile ?? "\(directory)/workerman.\(name).pid"
        let base = String(pid.hasSuffix(".pid") ? pid.dropLast(4) : pid[...])
        return RuntimeFiles(
            pid: pid, lock: pid + ".lock", status: base + ".status", connections: base + ".status.connection",
            log: Worker.logFile ?? "\(directory)/workerman.\(name).log", startFile: executable)
    }

    private static func runtimeDirectory(executableDirectory: String) -> String {
        if let configured = environment("WORKERMAN_RUNTIME_DIR"), !configured.isEmpty { return configured }
        if access(executableDirectory, W_OK) == 0 { return executableDirectory }
        let fallback: String
        if let runtime = environment("XDG_RUNTIME_DIR"), !runtime.isEmpty {
            fallback = runtime + "/workerman"
        } else if geteuid() == 0 {
            fallback = "/run/workerman"
        } else {
            fallback = (environment("HOME") ?? "/tmp") + "/.workerman"
        }
        mkdir(fallback, 0o755)
        return fallback
    }

    /// Checks that the master can write its pid file and log here, so that `start` (above all
    /// `start -d`, which would leave a daemon that `status` and `stop` cannot see) fails at once
    /// with one line instead. The log is created if missing; the pid file is not written.
    func checkUsable() throws(WorkerError) {
        var directory = pid.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
        if directory.isEmpty { directory = pid.hasPrefix("/") ? "/" : "." }
        if access(directory, W_OK) != 0 {
            throw WorkerError("cannot write the pid file \(pid): \(String(cString: strerror(errno)))")
        }
        let fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw WorkerError("cannot write the log \(log): \(String(cString: strerror(errno)))") }
        close(fd)
    }

    /// The master's pid from the pid file, if the file names a live master of this program.
    func runningMasterPID() -> pid_t? {
        guard let text = readFile(pid), let master = pid_t(text.trimmingWhitespace()), master > 0 else { return nil }
        guard kill(master, 0) == 0 || errno == EPERM else { return nil }
        guard let commandLine = readFile("/proc/\(master)/cmdline"), commandLine.contains("WorkerMan") else {
            return nil
        }
        return master
    }
}

/// The program's executable, resolved once at start: reload runs whatever file is at this path then.
enum Executable {
    static let path: String = {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard count > 0 else { return CommandLine.arguments.first ?? "workerman" }
        var path = String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        if path.hasSuffix(" (deleted)") { path = String(path.dropLast(10)) }
        return path
    }()
}

/// The value of an environment variable.
func environment(_ name: String) -> String? {
    getenv(name).map { String(cString: $0) }
}

/// A whole small file as text, or nil.
func readFile(_ path: String) -> String? {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65536)
    while true {
        let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, 65536) }
        if count < 0 && errno == EINTR { continue }
        guard count > 0 else { break }
        bytes += chunk[0..<count]
    }
    return String(decoding: bytes.map { $0 == 0 ? UInt8(ascii: " ") : $0 }, as: UTF8.self)
}

/// Writes `text` to `path` (created with `mode`, truncated, or appended to).
@discardableResult
func writeFile(_ path: String, _ text: String, append: Bool = false, mode: mode_t = 0o644) -> Bool {
    let fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | (append ? O_APPEND : O_TRUNC), mode)
    guard fd >= 0 else { return false }
    defer { close(fd) }
    var text = text
    return text.withUTF8 { write(fd, $0.baseAddress, $0.count) == $0.count }
}

extension String {
    func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
            let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        return String(scalars[first...last])
    }
}
