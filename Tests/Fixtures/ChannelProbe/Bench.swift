import Glibc
import Workerman
// ROLE=bench: Channel publish-to-delivery throughput and latency with 4 subscriber processes, and
// GlobalData operations per second with the blocking and the non-blocking client. One program:
//   a ChannelServer on 127.0.0.1:$PORT (default 22060) and a GlobalDataServer on $GD_PORT (22070);
//   4 subscriber processes; 1 publisher process that publishes $EVENTS events (default 100,000),
//   $BATCH per millisecond (default 1,000: as fast as it goes), each carrying its send time; 1 GlobalData process that runs $OPS increments (default 20,000)
//   blocking, then $OPS pipelined ones with up to 256 in flight.
// With $CHANNEL_URL (redis://...) the subscribers and the publisher use Channel over Redis instead
// (the ChannelServer still listens: the benchmark harness waits for its port); with $GD_URL the
// GlobalData process uses Redis.
// Each subscriber prints "bench subscriber ..." when it has every event; the GlobalData process
// prints "bench globaldata ...". Stop the program with Ctrl+C (or SIGINT) after that.
import WorkermanChannel
import WorkermanGlobalData

enum Bench {
    static func make() {
        let channelPort = number("PORT", 22_060)
        let globalPort = number("GD_PORT", 22_070)
        let events = number("EVENTS", 100_000)
        _ = ChannelServer("127.0.0.1", channelPort)
        _ = GlobalDataServer("127.0.0.1", globalPort)

        let subscribers = Worker()
        subscribers.name = "bench-subscribers"
        subscribers.count = 4
        subscribers.onWorkerStart = { worker in subscribe(id: worker.id, port: channelPort, expected: events) }
        let globalAddress = environment("GD_URL") ?? "127.0.0.1:\(globalPort)"

        let publisher = Worker()
        publisher.name = "bench-publisher"
        publisher.onWorkerStart = { _ in
            connectChannel(port: channelPort)
            Timer.add(1, persistent: false) { publish(events, perMillisecond: number("BATCH", 1000)) }
        }

        let globalData = Worker()
        globalData.name = "bench-globaldata"
        globalData.onWorkerStart = { _ in
            Timer.add(0.5, persistent: false) {
                benchGlobalData(address: globalAddress, operations: number("OPS", 20_000))
            }
        }
    }

    /// Publishes `total` events, `perMillisecond` per loop round, each `[sequence, send time in ns]`.
    /// It starts a second after the processes, when the subscribers are connected.
    private static func publish(_ total: Int, perMillisecond: Int) {
        var sent = 0
        var batch: TimerID?
        batch = Timer.add(0.001) {
            for _ in 0..<min(perMillisecond, total - sent) {
                ChannelClient.publish("bench", [Value(sent), .int(Int64(MonotonicClock.now()))])
                sent += 1
            }
            if sent == total, let batch { Timer.del(batch) }
        }
    }

    private static func subscribe(id: Int, port: Int, expected: Int) {
        var latencies: [UInt64] = []
        latencies.reserveCapacity(expected)
        var firstSent: UInt64 = 0
        connectChannel(port: port)
        ChannelClient.on("bench") { event in
            let now = MonotonicClock.now()
            let sentAt = UInt64(event[1].int ?? 0)
            if latencies.isEmpty { firstSent = sentAt }
            latencies.append(now - sentAt)
            guard latencies.count == expected else { return }
            let seconds = Double(now - firstSent) / 1e9
            latencies.sort()
            func percentile(_ p: Double) -> String {
                String(Double(latencies[min(latencies.count - 1, Int(Double(latencies.count) * p))]) / 1e3) + " us"
            }
            say(
                "bench subscriber id=\(id): \(expected) events in \(seconds) s = \(Int(Double(expected) / seconds)) events/s; "
                    + "latency p50 \(percentile(0.5)) p99 \(percentile(0.99)) max \(percentile(1))")
        }
    }

    /// Channel over Redis when $CHANNEL_URL says so, else the ChannelServer on `port`.
    private static func connectChannel(port: Int) {
        ChannelClient.connect(url: environment("CHANNEL_URL") ?? "frame://127.0.0.1:\(port)")
    }

    private static func benchGlobalData(address: String, operations: Int) {
        do {
            let blocking = try GlobalDataClient(address)
            try blocking.set("bench", 0)
            let start = MonotonicClock.now()
            for _ in 0..<operations { try blocking.increment("bench") }
            let seconds = Double(MonotonicClock.now() - start) / 1e9
            say(
                "bench globaldata blocking: \(operations) increments in \(seconds) s = \(Int(Double(operations) / seconds)) ops/s"
            )
        } catch {
            say("bench globaldata blocking failed: \(error)")
        }
        guard let async = try? AsyncGlobalDataClient(address) else { return }
        let start = MonotonicClock.now()
        var sent = 0
        var done = 0
        func refill() {
            while sent < operations && sent - done < 256 {
                sent += 1
                async.increment("bench") { _ in
                    done += 1
                    if done == operations {
                        let seconds = Double(MonotonicClock.now() - start) / 1e9
                        say(
                            "bench globaldata non-blocking (256 in flight): \(operations) increments in \(seconds) s = "
                                + "\(Int(Double(operations) / seconds)) ops/s")
                    } else {
                        refill()
                    }
                }
            }
        }
        refill()
    }
}
