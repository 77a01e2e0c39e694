/// Workerman's `Timer`: run a callback after an interval, once or repeatedly, in this process.
///
/// ```swift
/// let id = Timer.add(1) { print("every second") }
/// Timer.add(2.5, persistent: false) { print("once, after 2.5 s") }
/// Timer.del(id)
/// ```
/// Timers run on the process's event loop, one after another: a slow callback delays the others and
/// its own next run (never a burst of catch-up runs). Resolution is 1 ms. Each process has its own
/// timers; with `count = 4` a timer added in `onWorkerStart` runs in all four processes.
///
/// Foundation also has a `Timer`. When a file imports both Foundation and Workerman, write
/// `WorkerTimer.add(...)` (an alias of this type) or `Timer.Timer.add(...)`.
public enum Timer {
    /// The queue every `Timer` call works on; the event loop of this process runs it.
    nonisolated(unsafe) public static let queue = TimerQueue()  // owned by the process's one thread

    /// Runs `callback` after `interval` seconds (1 ms resolution), then every `interval` seconds if
    /// `persistent`. Returns the id that `del` takes.
    @discardableResult
    public static func add(_ interval: Double, persistent: Bool = true, _ callback: @escaping () -> Void) -> TimerID {
        queue.add(interval: MonotonicClock.nanoseconds(fromSeconds: interval), persistent: persistent, callback)
    }

    /// Deletes a timer; returns false if there was no such live timer. Works from inside the timer's
    /// own callback.
    @discardableResult
    public static func del(_ id: TimerID) -> Bool { queue.remove(id) }

    /// Deletes every timer of this process.
    public static func delAll() { queue.removeAll() }

    /// The number of live timers in this process (the `timers` column of `status`).
    public static var count: Int { queue.count }
}

/// `Timer` under a name that does not clash with Foundation's `Timer`.
public typealias WorkerTimer = Timer
