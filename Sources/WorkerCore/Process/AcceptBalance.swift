import Glibc

/// Keeps the connections of a listening socket shared by a Worker's processes (`count > 1`, no
/// `reusePort`) spread over them.
///
/// The socket wakes one waiting process per new connection (EPOLLEXCLUSIVE), the first idle one in
/// its queue of waiters; and whichever process runs first drains a burst. So each process publishes
/// how many connections it holds in a table shared by the Worker's processes (a file the master
/// creates and every worker maps), and a process holding more than `slack` connections above the
/// least loaded one stops watching the socket until the others catch up. When it stops while
/// connections wait, it writes the Worker's kick counter (an eventfd every process watches), so that
/// the others, asleep since the kernel gave the burst's wake-ups to it, look at the socket again
/// (every process watches the counter edge-triggered and never reads it: each write wakes each once).
final class AcceptBalance {
    /// How many connections a process may hold above the least loaded one and still accept.
    static let slack = 2
    /// Bytes between two processes' counts (one cache line each).
    private static let stride = 64

    /// The shared table: one count per process id.
    let tableFD: Int32
    /// The kick counter the processes watch.
    let kickFD: Int32
    private let counts: UnsafeMutableRawPointer
    private let processes: Int
    private let id: Int

    /// Makes the descriptors for a Worker of `processes` processes, in the master: an unlinked file
    /// (in /dev/shm when there is one) sized for the table, and an eventfd; both inheritable.
    static func makeDescriptors(processes: Int) throws(SyscallError) -> (table: Int32, kick: Int32) {
        var table: Int32 = -1
        for directory in ["/dev/shm", "/tmp"] {
            var template = Array("\(directory)/workerman-accept-XXXXXX".utf8CString)
            table = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
            if table >= 0 {
                template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
                break
            }
        }
        guard table >= 0 else { throw SyscallError("mkstemp", errno: errno) }
        guard ftruncate(table, off_t(processes * stride)) == 0 else {
            let error = SyscallError("ftruncate", errno: errno)
            Sys.close(table)
            throw error
        }
        let kick: Int32
        do {
            kick = try Sys.eventCounter()
            try Sys.setInheritable(table, true)
            try Sys.setInheritable(kick, true)
        } catch {
            Sys.close(table)
            throw error
        }
        return (table, kick)
    }

    /// Maps the inherited table for process `id` of `processes`; nil (no balancing) when it cannot.
    init?(table: Int32, kick: Int32, processes: Int, id: Int) {
        guard processes > 1, id >= 0, id < processes else { return nil }
        try? Sys.setInheritable(table, false)
        try? Sys.setInheritable(kick, false)
        guard
            let mapped = mmap(nil, processes * Self.stride, PROT_READ | PROT_WRITE, MAP_SHARED, table, 0),
            mapped != MAP_FAILED
        else {
            return nil
        }
        tableFD = table
        kickFD = kick
        counts = mapped
        self.processes = processes
        self.id = id
    }

    // A slot holds 1 + the connections of a process that accepts, 0 for one that does not (not
    // started yet, or leaving): a new table is all zeros.
    private func slot(_ process: Int) -> Int {
        counts.load(fromByteOffset: process * Self.stride, as: Int.self)
    }

    /// Tells the other processes how many connections this one holds (and that it accepts).
    func publish(_ held: Int) {
        counts.storeBytes(of: held + 1, toByteOffset: id * Self.stride, as: Int.self)
    }

    /// Tells the other processes that this one accepts no more (it pauses or leaves).
    func withdraw() {
        counts.storeBytes(of: 0, toByteOffset: id * Self.stride, as: Int.self)
    }

    /// True when a process holding `held` connections holds more than `slack` above the least
    /// loaded process that accepts.
    func isAhead(_ held: Int) -> Bool {
        var least = held
        for process in 0..<processes where process != id {
            let value = slot(process)
            if value > 0 { least = min(least, value - 1) }
        }
        return held > least + Self.slack
    }

    /// Wakes the other processes to look at the socket again.
    func kick() {
        var one: UInt64 = 1
        _ = Glibc.write(kickFD, &one, 8)
    }
}

extension AcceptBalance {
    /// Closes the balance descriptors of the other Workers, which this worker process does not serve.
    static func closeSiblings(of identity: WorkerIdentity) {
        for (index, fd) in identity.acceptTables where index != identity.workerIndex { Sys.close(fd) }
        for (index, fd) in identity.acceptKicks where index != identity.workerIndex { Sys.close(fd) }
    }
}

extension Worker {
    /// Balances this process's accepting with its siblings' when the master shared a table for it.
    func shareAccepting(_ identity: WorkerIdentity) {
        guard let table = identity.acceptTables[identity.workerIndex],
            let kick = identity.acceptKicks[identity.workerIndex], let listener = listener as? StreamListener
        else { return }
        listener.balance = AcceptBalance(table: table, kick: kick, processes: count, id: identity.id)
    }
}
