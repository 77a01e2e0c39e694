// Processes that use Channel over Redis ($CHANNEL_URL): each subscribes to "ticks" and prints
// "tick N pid=P" per event, subscribes to "work" (publishLoop) and prints "work N pid=P", watches
// the queue "jobs" and prints "job N pid=P". With $DIE_ON_JOB and $DIE_MARKER, the first process
// to get that job creates the marker file and kills itself (SIGKILL) before acknowledging it.
// Prints "redis channel ready pid=P" once its subscriptions are in place.
import Glibc
import Workerman
import WorkermanChannel

enum RedisChannelWorkers {
    static func make(count: Int, url: String) {
        let worker = Worker()
        worker.count = count
        worker.name = "redis-channel"
        worker.onWorkerStart = { _ in
            let pid = getpid()
            ChannelClient.redeliveryDelay = Double(number("REDELIVERY_MS", 2000)) / 1000
            ChannelClient.connect(url: url)
            ChannelClient.on("ticks") { say("tick \($0.int ?? -1) pid=\(pid)") }
            ChannelClient.on("work") { say("work \($0.int ?? -1) pid=\(pid)") }
            ChannelClient.watch("jobs") { job in
                let number = job.int ?? -1
                if number == Int(environment("DIE_ON_JOB") ?? ""), let marker = environment("DIE_MARKER"),
                    open(marker, O_CREAT | O_EXCL | O_WRONLY, 0o600) >= 0
                {
                    say("dying on job \(number) pid=\(pid)")
                    kill(pid, SIGKILL)
                }
                say("job \(number) pid=\(pid)")
            }
            say("redis channel ready pid=\(pid)")
        }
    }
}
