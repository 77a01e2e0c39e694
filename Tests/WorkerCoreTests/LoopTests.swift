import Glibc
import Workerman
import WorkermanTestSupport
import XCTest

@testable import WorkermanCore

final class LoopTests: ServerTestCase {
    func testTimersFireInOrderOnTheLoopAndDeleteThemselves() {
        var fired: [String] = []
        let start = Date()
        Timer.add(0.03, persistent: false) { fired.append("30ms") }
        Timer.add(0.01, persistent: false) { fired.append("10ms") }
        var ticks = 0
        var tick: TimerID = 0
        tick = Timer.add(0.005) {
            ticks += 1
            if ticks == 4 { Timer.del(tick) }
        }
        Timer.add(0.02, persistent: false) { fired.append("20ms") }
        XCTAssertTrue(spinLoop(timeout: 2) { fired.count == 3 && ticks == 4 })
        XCTAssertEqual(fired, ["10ms", "20ms", "30ms"])
        XCTAssertGreaterThanOrEqual(Date().timeIntervalSince(start), 0.03)
        EventLoop.current.runOnce(maxWait: 0.02)
        XCTAssertEqual(ticks, 4)
        XCTAssertEqual(Timer.count, 0)
    }

    func testSignalsArriveOnTheLoop() {
        var received: [Int32] = []
        EventLoop.current.onSignal(SIGUSR2) { received.append($0) }
        defer { EventLoop.current.offSignal(SIGUSR2) }
        // At this thread: other threads of the test process (client threads) do not block it.
        pthread_kill(pthread_self(), SIGUSR2)
        XCTAssertTrue(spinLoop(timeout: 2) { !received.isEmpty })
        XCTAssertEqual(received, [SIGUSR2])
    }

    func testStopFromAnotherThreadEndsRun() {
        let stopper = Background {
            usleep(50_000)
            EventLoop.current.stopFromAnyThread()
        }
        let start = Date()
        EventLoop.current.run()
        XCTAssertLessThan(Date().timeIntervalSince(start), 5)
        XCTAssertTrue(spinLoop(timeout: 1) { stopper.isFinished })
    }

    func testDeferredWorkRunsAfterTheCurrentCallback() {
        var order: [String] = []
        EventLoop.current.execute { order.append("deferred") }
        order.append("now")
        EventLoop.current.runOnce(maxWait: 0)
        XCTAssertEqual(order, ["now", "deferred"])
    }

    func testAStaleEventForAReusedDescriptorIsDropped() throws {
        // Two eventfds are readable in the same round. Whichever handler runs first closes the
        // other, opens a new eventfd (which gets the closed one's number) and registers a fresh
        // handler for it. The event already fetched for the old descriptor must not reach it.
        let loop = EventLoop.current
        let replacement = Probe()
        var first = Probe()
        var second = Probe()
        first = Probe {
            loop.deregister(second.fd)
            Sys.close(second.fd)
            replacement.fd = try! Sys.eventCounter()
            XCTAssertEqual(replacement.fd, second.fd, "the number is reused")
            try! loop.register(replacement.fd, replacement, interest: .read)
        }
        second = Probe {
            loop.deregister(first.fd)
            Sys.close(first.fd)
            replacement.fd = try! Sys.eventCounter()
            XCTAssertEqual(replacement.fd, first.fd, "the number is reused")
            try! loop.register(replacement.fd, replacement, interest: .read)
        }
        for probe in [first, second] {
            probe.fd = try Sys.eventCounter()
            var one: UInt64 = 1
            _ = write(probe.fd, &one, 8)
        }
        try loop.register(first.fd, first, interest: .read)
        try loop.register(second.fd, second, interest: .read)
        loop.runOnce(maxWait: 0.1)
        XCTAssertEqual(first.calls + second.calls, 1, "only the first handler of the round ran")
        XCTAssertEqual(replacement.calls, 0, "the stale event was dropped")
        for probe in [first, second, replacement] where probe.calls > 0 || probe === replacement {
            loop.deregister(probe.fd)
            Sys.close(probe.fd)
        }
    }

    func testBadListenAddressesFailWithOneLine() {
        let busy = try? BlockingListener()
        let cases = [
            ("text://127.0.0.1:\(busy?.port ?? 1)", "Address already in use"),
            ("text://10.255.255.1:0", "Cannot assign requested address"),
            ("text://0.0.0.0:70000", "out of range"),
            ("text://0.0.0.0:abc", "port 'abc' is not a number"),
            ("text://0.0.0.0:", "port '' is not a number"),
            ("nosuch://0.0.0.0:0", "unknown protocol 'nosuch'"),
            ("0.0.0.0:80", "no scheme"),
        ]
        for (address, expected) in cases {
            let worker = Worker(address)
            XCTAssertThrowsError(try worker.listen(), address) { error in
                XCTAssertTrue("\(error)".contains(expected), "\(address): \(error)")
                XCTAssertFalse("\(error)".contains("\n"), "one line")
            }
        }
        _ = busy
    }
}

/// An event handler that counts its readable calls and runs an action on the first.
private final class Probe: EventHandler {
    var fd: Int32 = -1
    var calls = 0
    let action: () -> Void

    init(_ action: @escaping () -> Void = {}) { self.action = action }

    func handleReadable() {
        calls += 1
        var value: UInt64 = 0
        _ = read(fd, &value, 8)
        action()
    }
}
