/// How long the master waits before it starts a process again after that process failed to start
/// (`onWorkerStart` threw, the executable is missing, it crashed before it was ready): 1 s after
/// the first failure, then twice as long after each further failure in a row, at most `limit`
/// seconds. A process of that slot that becomes ready starts the count again.
struct RestartBackoff {
    /// The longest wait, in seconds.
    let limit: Double
    /// Failures in a row since the last process of the slot was ready.
    private(set) var failures = 0

    init(limit: Double = 60) { self.limit = limit }

    /// Counts a failure and returns the seconds to wait before the next try.
    mutating func failed() -> Double {
        failures += 1
        return min(limit, Double(1 << min(failures - 1, 30)))
    }

    /// A process started and is serving: the next failure waits 1 s again.
    mutating func succeeded() { failures = 0 }
}
