import Glibc

/// Names for the files a worker process keeps on disk (temporary uploads), so that each process
/// can tell its own from its siblings' and from those a dead process left behind.
public enum ProcessSlot {
    /// This running server among others: "<program>-<8 hex digits of its pid file's path>", the same
    /// in the master and every worker process, different for another program or another instance
    /// of the same program (another pid file).
    public static var instance: String {
        let files = RuntimeFiles.current()
        let program = String(files.startFile.split(separator: "/").last ?? "workerman")
        return "\(program)-\(hexHash(files.pid))"
    }

    /// This process: "<instance>-w<Worker index>-<id>.<pid>" in a worker process,
    /// "<instance>-pid.<pid>" elsewhere (a program that runs Workers in its own process).
    public static var name: String {
        guard let current else { return "\(instance)-pid.\(getpid())" }
        return "\(instance)-w\(current.workerIndex)-\(current.id).\(getpid())"
    }

    /// True when a `name` (or any name ending in ".<pid>") belongs to a process that is gone.
    public static func isLeftOver(_ name: String) -> Bool {
        guard let dot = name.lastIndex(of: "."), let pid = pid_t(name[name.index(after: dot)...]), pid > 0 else {
            return false
        }
        return pid != getpid() && kill(pid, 0) != 0 && errno == ESRCH
    }

    /// Runs `body` with the process's Workers in every worker process when it starts, before
    /// `onWorkerStart` (modules clear what dead processes left, e.g. Http's temporary uploads).
    public static func onStart(_ body: @escaping (_ workers: [Worker]) -> Void) {
        startHooks.append(body)
    }

    nonisolated(unsafe) static var current: (workerIndex: Int, id: Int)?  // one thread per process
    nonisolated(unsafe) private(set) static var startHooks: [([Worker]) -> Void] = []  // one thread per process

    /// FNV-1a, 32 bits, in hex.
    private static func hexHash(_ text: String) -> String {
        var hash: UInt32 = 0x811c_9dc5
        for byte in text.utf8 {
            hash ^= UInt32(byte)
            hash = hash &* 0x0100_0193
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 8 - hex.count) + hex
    }
}
