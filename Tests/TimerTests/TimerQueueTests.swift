import XCTest

@testable import WorkermanTimer

final class TimerQueueTests: XCTestCase {
    private let ms: UInt64 = 1_000_000

    func testTimersFireInDeadlineOrderAndEqualDeadlinesInInsertionOrder() {
        let queue = TimerQueue()
        let start = MonotonicClock.now()
        var fired: [String] = []
        queue.add(interval: 30 * ms, persistent: false, now: start) { fired.append("c") }
        queue.add(interval: 10 * ms, persistent: false, now: start) { fired.append("a1") }
        queue.add(interval: 10 * ms, persistent: false, now: start) { fired.append("a2") }
        queue.add(interval: 20 * ms, persistent: false, now: start) { fired.append("b") }
        queue.runExpired(now: start + 5 * ms)
        XCTAssertEqual(fired, [])
        queue.runExpired(now: start + 20 * ms)
        XCTAssertEqual(fired, ["a1", "a2", "b"])
        queue.runExpired(now: start + 40 * ms)
        XCTAssertEqual(fired, ["a1", "a2", "b", "c"])
        XCTAssertEqual(queue.count, 0, "one-shot timers remove themselves")
        XCTAssertNil(queue.nextDeadline)
    }

    func testDeleteFromInsideItsOwnCallbackStopsAPersistentTimer() {
        let queue = TimerQueue()
        let start = MonotonicClock.now()
        var runs = 0
        var id: TimerID = 0
        id = queue.add(interval: 10 * ms, persistent: true, now: start) {
            runs += 1
            if runs == 3 { XCTAssertTrue(queue.remove(id)) }
        }
        for step in 1...10 { queue.runExpired(now: start + UInt64(step) * 10 * ms) }
        XCTAssertEqual(runs, 3)
        XCTAssertEqual(queue.count, 0)
        XCTAssertFalse(queue.remove(id), "a deleted timer is gone")
    }

    func testDeleteAnotherTimerFromACallbackBeforeItRuns() {
        let queue = TimerQueue()
        let start = MonotonicClock.now()
        var fired: [String] = []
        var victim: TimerID = 0
        queue.add(interval: 10 * ms, persistent: false, now: start) {
            fired.append("killer")
            queue.remove(victim)
        }
        victim = queue.add(interval: 10 * ms, persistent: false, now: start) { fired.append("victim") }
        queue.runExpired(now: start + 10 * ms)
        XCTAssertEqual(fired, ["killer"])
    }

    func testAnOverrunDelaysTheNextRunInsteadOfBursting() {
        let queue = TimerQueue()
        let start = MonotonicClock.now()
        var runs = 0
        queue.add(interval: 10 * ms, persistent: true, now: start) { runs += 1 }
        // The loop was blocked for 100 intervals: one run, not a hundred.
        let late = MonotonicClock.now() + 1000 * ms
        queue.runExpired(now: late)
        XCTAssertEqual(runs, 1)
        let next = queue.nextDeadline!
        XCTAssertEqual(next, late + 10 * ms, "the next run is an interval after this one")
        queue.runExpired(now: late)
        XCTAssertEqual(runs, 1)
    }

    func testAZeroIntervalPersistentTimerRunsOncePerPass() {
        let queue = TimerQueue()
        var runs = 0
        queue.add(interval: 0, persistent: true) { runs += 1 }
        queue.runExpired(now: MonotonicClock.now() + ms)
        XCTAssertEqual(runs, 1)
    }

    func testTimersAddedDuringAPassWaitForTheNextPass() {
        let queue = TimerQueue()
        let start = MonotonicClock.now()
        var fired: [String] = []
        queue.add(interval: 0, persistent: false, now: start) {
            fired.append("first")
            queue.add(interval: 0, persistent: false, now: start) { fired.append("added") }
        }
        queue.runExpired(now: start + ms)
        XCTAssertEqual(fired, ["first"])
        queue.runExpired(now: start + 2 * ms)
        XCTAssertEqual(fired, ["first", "added"])
    }

    func testDeleteAllAndCount() {
        let queue = TimerQueue()
        for _ in 0..<5 { queue.add(interval: ms, persistent: true) {} }
        XCTAssertEqual(queue.count, 5)
        queue.removeAll()
        XCTAssertEqual(queue.count, 0)
        XCTAssertNil(queue.nextDeadline)
    }

    func testManyTimersKeepTheirOrderThroughDeletionsAndCompaction() {
        let queue = TimerQueue()
        let start = MonotonicClock.now()
        var ids: [TimerID] = []
        var fired: [Int] = []
        for index in 0..<100_000 {
            let deadline = UInt64((index * 7919) % 100_000) * 1000
            ids.append(queue.add(interval: deadline, persistent: false, now: start) { fired.append(index) })
        }
        for (index, id) in ids.enumerated() where index % 3 != 0 { queue.remove(id) }
        XCTAssertEqual(queue.count, 33_334)
        queue.runExpired(now: start + 200 * ms)
        XCTAssertEqual(fired.count, 33_334)
        let deadlines = fired.map { ($0 * 7919) % 100_000 }
        XCTAssertEqual(deadlines, deadlines.sorted())
    }

    func testTheTimerFacadeUsesTheProcessQueue() {
        Timer.delAll()
        let id = Timer.add(0.5) {}
        Timer.add(1, persistent: false) {}
        XCTAssertEqual(Timer.count, 2)
        XCTAssertTrue(Timer.del(id))
        XCTAssertFalse(Timer.del(id))
        Timer.delAll()
        XCTAssertEqual(Timer.count, 0)
    }

    func testSecondsConvertToNanoseconds() {
        XCTAssertEqual(MonotonicClock.nanoseconds(fromSeconds: 0.001), 1_000_000)
        XCTAssertEqual(MonotonicClock.nanoseconds(fromSeconds: -1), 0)
        XCTAssertEqual(MonotonicClock.nanoseconds(fromSeconds: .nan), 0)
    }
}
