// timer-bench: does a large timer queue slow the event loop down?
//
// Measures loop rounds per second with no timers and with 100,000 live timers (due in an hour), the
// cost of adding and deleting 100,000 timers, and of firing 100,000 one-shot timers. Built by the main
// package (it needs only the library); run by `Benchmarks/run.sh timers`.
import Glibc
import WorkermanCore
import WorkermanTimer

func seconds(_ body: () -> Void) -> Double {
    let start = MonotonicClock.now()
    body()
    return Double(MonotonicClock.now() - start) / 1e9
}

/// Loop rounds per second: each round computes its wait from the timer queue, polls epoll without
/// waiting, and checks for due timers.
func loopRoundsPerSecond(rounds: Int) -> Double {
    let loop = EventLoop.current
    let elapsed = seconds { for _ in 0..<rounds { loop.runOnce(maxWait: 0) } }
    return Double(rounds) / elapsed
}

func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }

let rounds = 300_000
let count = 100_000
var empty: [Double] = []
var single: [Double] = []
var loaded: [Double] = []
for _ in 0..<3 {
    Timer.delAll()
    empty.append(loopRoundsPerSecond(rounds: rounds))
    Timer.add(7200) {}
    single.append(loopRoundsPerSecond(rounds: rounds))
    for index in 1..<count { Timer.add(3600 + Double(index) / 1000) {} }
    loaded.append(loopRoundsPerSecond(rounds: rounds))
}
Timer.delAll()

var ids: [TimerID] = []
ids.reserveCapacity(count)
let addTime = seconds { for index in 0..<count { ids.append(Timer.add(3600 + Double(index % 1000)) {}) } }
let delTime = seconds { for id in ids { Timer.del(id) } }

var fired = 0
for index in 0..<count { Timer.add(Double(index % 100) / 1000, persistent: false) { fired += 1 } }
let fireTime = seconds { while fired < count { EventLoop.current.runOnce(maxWait: 0.01) } }

print("loop rounds/s, no timers          \(Int(median(empty)))")
print("loop rounds/s, 1 live timer       \(Int(median(single)))")
print("loop rounds/s, 100k live timers   \(Int(median(loaded)))")
let ratio = Int((median(loaded) / median(single) * 100).rounded())
print("ratio 100k timers / 1 timer       \(ratio / 100).\(ratio % 100 < 10 ? "0" : "")\(ratio % 100)")
print("Timer.add, 100k                   \(Int(addTime * 1e9 / Double(count))) ns each")
print("Timer.del, 100k                   \(Int(delTime * 1e9 / Double(count))) ns each")
print("fire 100k one-shot timers         \(Int(fireTime * 1000)) ms (within a 100 ms spread of deadlines)")
