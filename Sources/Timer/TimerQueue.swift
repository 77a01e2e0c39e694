/// Identifies a timer for `Timer.del`. Ids are positive and never reused within a process.
public typealias TimerID = Int

/// The timers of one process: a min-heap of deadlines plus the live timers by id.
///
/// The event loop asks `nextDeadline` how long it may sleep and calls `runExpired` when it wakes.
/// Deleting a timer drops its record at once; its heap entry is skipped when it comes up, and the
/// heap is compacted when such dead entries outnumber the live ones.
public final class TimerQueue {
    private struct Record {
        var interval: UInt64
        var persistent: Bool
        var deadline: UInt64
        var callback: () -> Void
    }

    private var heap = TimerHeap()
    private var records: [TimerID: Record] = [:]
    private var lastID: TimerID = 0
    private var sequence: UInt64 = 0

    /// An empty queue.
    public init() {}

    /// The number of live timers: one-shot timers that already ran and deleted timers are not counted.
    public var count: Int { records.count }

    /// The earliest deadline of a live timer, in `MonotonicClock` nanoseconds, or nil when there is none.
    public var nextDeadline: UInt64? {
        while let top = heap.first {
            if let record = records[top.id], record.deadline == top.deadline { return top.deadline }
            heap.popFirst()
        }
        return nil
    }

    /// Schedules `callback` to run `interval` nanoseconds from now, and every `interval` after that
    /// when `persistent`. Returns the id that `remove` takes (unused for a timer never cancelled).
    @discardableResult
    public func add(
        interval: UInt64, persistent: Bool, now: UInt64 = MonotonicClock.now(), _ callback: @escaping () -> Void
    ) -> TimerID {
        lastID += 1
        let deadline = now &+ interval
        records[lastID] = Record(interval: interval, persistent: persistent, deadline: deadline, callback: callback)
        schedule(lastID, at: deadline)
        return lastID
    }

    /// Deletes a timer; true if it was live. Safe from inside any timer's callback, its own included.
    @discardableResult
    public func remove(_ id: TimerID) -> Bool {
        guard records.removeValue(forKey: id) != nil else { return false }
        if heap.count > 1024 && heap.count > 2 * records.count {
            heap.compact { records[$0.id]?.deadline == $0.deadline }
        }
        return true
    }

    /// Deletes every timer.
    public func removeAll() {
        records.removeAll()
        heap.removeAll()
    }

    /// Runs every timer whose deadline is at or before `now`, each at most once per call, in deadline
    /// order. A persistent timer that overran its period is not run again at once: its next run is one
    /// interval after it finished, never a burst of missed runs.
    public func runExpired(now: UInt64 = MonotonicClock.now()) {
        let lastScheduledBeforeThisPass = sequence
        while let top = heap.first, top.deadline <= now, top.sequence <= lastScheduledBeforeThisPass {
            heap.popFirst()
            guard var record = records[top.id], record.deadline == top.deadline else { continue }
            if record.persistent {
                var next = top.deadline &+ record.interval
                if next <= now { next = now &+ record.interval }
                record.deadline = next
                records[top.id] = record
                schedule(top.id, at: next)
            } else {
                records.removeValue(forKey: top.id)
            }
            record.callback()
        }
    }

    private func schedule(_ id: TimerID, at deadline: UInt64) {
        sequence += 1
        heap.push(TimerEntry(deadline: deadline, sequence: sequence, id: id))
    }
}
