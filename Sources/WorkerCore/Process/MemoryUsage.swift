import Glibc

/// A process's resident memory split the way an operator needs it: what is its own, and what it
/// shares with every other process running the same program and libraries.
///
/// Most of an idle worker's VmRSS is pages of the Swift runtime and libc that every process maps and
/// the kernel keeps once; `status` shows the private part as the `memory` column (what one more
/// process costs, comparable to Workerman's heap figure) and the shared part apart.
struct MemoryUsage: Equatable {
    /// Resident bytes no other process maps: heap, stacks, written data (VmRSS minus the shared part).
    var privateBytes: Int
    /// Resident bytes backed by files or shared memory: the executable, the Swift runtime, libc.
    var sharedBytes: Int

    /// This process's figures, from /proc/self/statm; zeros when it cannot be read.
    static func current() -> MemoryUsage {
        guard let statm = readFile("/proc/self/statm") else { return MemoryUsage(privateBytes: 0, sharedBytes: 0) }
        return parse(statm: statm, pageSize: Int(sysconf(Int32(_SC_PAGESIZE))))
    }

    /// Reads `size resident shared ...` (in pages): private is resident minus shared.
    static func parse(statm: String, pageSize: Int) -> MemoryUsage {
        let fields = statm.split(separator: " ").map { Int($0.filter { $0 != "\n" }) ?? 0 }
        guard fields.count > 2 else { return MemoryUsage(privateBytes: 0, sharedBytes: 0) }
        let resident = fields[1]
        let shared = min(fields[2], resident)
        return MemoryUsage(privateBytes: (resident - shared) * pageSize, sharedBytes: shared * pageSize)
    }
}
