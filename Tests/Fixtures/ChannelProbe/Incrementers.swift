// Processes that each increment one GlobalData key many times (at `address`: a GlobalData server
// "127.0.0.1:port" or "redis://..."), without creating it first (a missing key counts as 0); even ids use the blocking client,
// odd ids the non-blocking one (with up to 64 calls in flight). Each prints
// "incremented id=N count=T failures=F last=V" when done.
import Glibc
import Workerman
import WorkermanGlobalData

enum Incrementers {
    static func make(count: Int, times: Int, address: String) {
        let worker = Worker()
        worker.count = count
        worker.name = "incrementers"
        worker.onWorkerStart = { worker in
            if worker.id % 2 == 0 {
                incrementBlocking(id: worker.id, times: times, address: address)
            } else {
                incrementAsync(id: worker.id, times: times, address: address)
            }
        }
    }

    private static func incrementBlocking(id: Int, times: Int, address: String) {
        var failures = 0
        var last: Value?
        do {
            let global = try GlobalDataClient(address)
            for _ in 0..<times {
                do { last = try global.increment("counter") } catch { failures += 1 }
            }
        } catch {
            failures = times
        }
        say("incremented id=\(id) count=\(times) failures=\(failures) last=\(last?.description ?? "nil")")
    }

    private static func incrementAsync(id: Int, times: Int, address: String) {
        guard let global = try? AsyncGlobalDataClient(address) else { return }
        var sent = 0
        var done = 0
        var failures = 0
        func sendMore() {
            while sent < times && sent - done < 64 {
                sent += 1
                global.increment("counter") { result in
                    done += 1
                    if case .failure = result { failures += 1 }
                    if done == times {
                        say("incremented id=\(id) count=\(times) failures=\(failures) last=async")
                    } else {
                        sendMore()
                    }
                }
            }
        }
        sendMore()
    }
}

// Processes that use cas as a lock: "lock" holds 0 when free, the holder's pid when taken. Inside
// the critical section each adds the key "holder" (which fails if someone else is inside), reads
// and rewrites the non-atomic counter "plain", and removes "holder". Prints "locked id=N
// entries=T violations=V" when done.
enum Lockers {
    static func make(count: Int, times: Int, address: String) {
        let worker = Worker()
        worker.count = count
        worker.name = "lockers"
        worker.onWorkerStart = { worker in
            var violations = 0
            do {
                let global = try GlobalDataClient(address)
                _ = try global.add("lock", 0)
                _ = try global.add("plain", 0)
                let me = Value(Int(getpid()))
                for _ in 0..<times {
                    while try !global.cas("lock", 0, me) { usleep(50) }
                    if try !global.add("holder", me) { violations += 1 }
                    let plain = try global.get("plain")?.int ?? 0
                    try global.set("plain", Value(plain + 1))
                    try global.unset("holder")
                    if try !global.cas("lock", me, 0) { violations += 1 }
                }
            } catch {
                say("locker id=\(worker.id) failed: \(error)")
            }
            say("locked id=\(worker.id) entries=\(times) violations=\(violations)")
        }
    }
}
