/// One scheduled run of a timer: when, in what order among equal deadlines, and which timer.
struct TimerEntry {
    var deadline: UInt64
    var sequence: UInt64
    var id: TimerID

    @inline(__always)
    func runsBefore(_ other: TimerEntry) -> Bool {
        deadline != other.deadline ? deadline < other.deadline : sequence < other.sequence
    }
}

/// A binary min-heap of timer entries ordered by deadline, then by the order they were scheduled in.
struct TimerHeap {
    private(set) var entries: [TimerEntry] = []

    var isEmpty: Bool { entries.isEmpty }
    var count: Int { entries.count }
    var first: TimerEntry? { entries.first }

    mutating func push(_ entry: TimerEntry) {
        entries.append(entry)
        siftUp(from: entries.count - 1)
    }

    @discardableResult
    mutating func popFirst() -> TimerEntry? {
        guard !entries.isEmpty else { return nil }
        let top = entries[0]
        let last = entries.removeLast()
        if !entries.isEmpty {
            entries[0] = last
            siftDown(from: 0)
        }
        return top
    }

    /// Keeps only the entries `isLive` accepts, then restores the heap order in O(n).
    mutating func compact(keeping isLive: (TimerEntry) -> Bool) {
        entries.removeAll { !isLive($0) }
        var index = entries.count / 2
        while index > 0 {
            index -= 1
            siftDown(from: index)
        }
    }

    mutating func removeAll() { entries.removeAll() }

    private mutating func siftUp(from start: Int) {
        var child = start
        let entry = entries[child]
        while child > 0 {
            let parent = (child - 1) / 2
            guard entry.runsBefore(entries[parent]) else { break }
            entries[child] = entries[parent]
            child = parent
        }
        entries[child] = entry
    }

    private mutating func siftDown(from start: Int) {
        var parent = start
        let entry = entries[parent]
        let count = entries.count
        while true {
            var child = 2 * parent + 1
            guard child < count else { break }
            if child + 1 < count, entries[child + 1].runsBefore(entries[child]) { child += 1 }
            guard entries[child].runsBefore(entry) else { break }
            entries[parent] = entries[child]
            parent = child
        }
        entries[parent] = entry
    }
}
