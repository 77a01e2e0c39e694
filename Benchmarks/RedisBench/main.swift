// redis-bench: commands per second of WorkermanRedis's asynchronous client, the way redis-benchmark
// measures them: CONNECTIONS clients, each keeping PIPELINE commands in flight, REQUESTS commands in
// all, on one event loop (one worker process).
//
//   redis-bench redis://127.0.0.1:6379 set|get CONNECTIONS PIPELINE REQUESTS
//
// Prints one line: "redis-bench <command> connections=C pipeline=P requests=N seconds=S ops=O".
// GET reads the key SET writes (a 3-byte value, as redis-benchmark's default); keys are
// "key:__rand_int__" as redis-benchmark names its key without -r.
import Glibc
import WorkermanCore
import WorkermanRedis
import WorkermanTimer

let arguments = CommandLine.arguments
guard arguments.count == 6, let connections = Int(arguments[3]), let pipeline = Int(arguments[4]),
    let requests = Int(arguments[5]), connections > 0, pipeline > 0, requests > 0
else {
    StandardStream.error("usage: redis-bench URL set|get CONNECTIONS PIPELINE REQUESTS\n")
    exit(2)
}
let url = arguments[1]
let isSet = arguments[2].lowercased() == "set"
var options = RedisOptions()
options.commandTimeout = 60

var clients: [RedisClient] = []
for _ in 0..<connections {
    guard let client = try? RedisClient(url: url, options: options) else {
        StandardStream.error("bad URL \(url)\n")
        exit(2)
    }
    clients.append(client)
}

nonisolated(unsafe) var sent = 0
nonisolated(unsafe) var done = 0
nonisolated(unsafe) var failures = 0
nonisolated(unsafe) var started: UInt64 = 0

func command() -> RedisCommand {
    isSet ? RedisCommand("SET", "key:__rand_int__", "xxx") : RedisCommand("GET", "key:__rand_int__")
}

/// Keeps `client`'s pipeline full until every request is sent.
func refill(_ client: RedisClient) {
    while sent < requests && client.pendingCount < pipeline {
        sent += 1
        client.send(command(), timeout: nil) { result in
            done += 1
            if case .failure = result { failures += 1 }
            if done == requests {
                let seconds = Double(MonotonicClock.now() - started) / 1e9
                let ops = Int(Double(requests) / seconds)
                print(
                    "redis-bench \(isSet ? "set" : "get") connections=\(connections) pipeline=\(pipeline) "
                        + "requests=\(requests) seconds=\(seconds) ops=\(ops) failures=\(failures)")
                EventLoop.current.stop()
            } else {
                refill(client)
            }
        }
    }
}

// Connect everything first (a PING each), then measure.
nonisolated(unsafe) var ready = 0
for client in clients {
    client.ping { _ in
        ready += 1
        guard ready == connections else { return }
        started = MonotonicClock.now()
        for client in clients { refill(client) }
    }
}
Timer.add(300, persistent: false) {
    StandardStream.error("redis-bench: no result after 300 s (done \(done) of \(requests))\n")
    exit(1)
}
EventLoop.current.run()
