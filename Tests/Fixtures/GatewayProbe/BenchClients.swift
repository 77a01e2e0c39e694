// ROLE=bench-clients: the load of `Benchmarks/run.sh gateway`. One process opens $CLIENTS ws://
// connections to $BENCH_TARGET (host:port of a websocket gateway serving the probe's events, ours or
// PHP GatewayWorker's), puts client i in group "g<i % 100>", then measures and prints:
//   bench sendToAll    <deliveries/s>     $ROUNDS messages sent to everyone by a business worker
//   bench sendToGroup  <deliveries/s>     $ROUNDS messages to each of the 100 groups
//   bench roundtrip    p50 <us> p99 <us>  $ECHOES messages one at a time: client -> gateway ->
//                                         business worker -> gateway -> client
import Glibc
import Workerman

enum BenchClients {
    nonisolated(unsafe) static var connections: [AsyncTcpConnection] = []
    nonisolated(unsafe) static var received = 0
    nonisolated(unsafe) static var joined = 0
    nonisolated(unsafe) static var phaseStart: UInt64 = 0
    nonisolated(unsafe) static var echoSent: UInt64 = 0
    nonisolated(unsafe) static var roundTrips: [UInt64] = []

    static func make() {
        let worker = Worker()
        worker.name = "BenchClients"
        let count = number("CLIENTS", 10_000)
        let rounds = number("ROUNDS", 20)
        let echoes = number("ECHOES", 2000)
        let target = environment("BENCH_TARGET") ?? "127.0.0.1:7273"
        worker.onWorkerStart = { _ in
            for index in 0..<count {
                guard let connection = try? AsyncTcpConnection("ws://\(target)/") else { return }
                connection.webSocket.onWebSocketConnected = { connection in connection.send("join:g\(index % 100)") }
                connection.onMessage = { _, message in
                    handle(message.string, index: index, count: count, rounds: rounds, echoes: echoes)
                }
                connection.onClose = { _ in
                    print("bench client \(index) closed")
                    exit(3)
                }
                connections.append(connection)
                connection.connect()
            }
        }
    }

    static func now() -> UInt64 { MonotonicClock.now() }

    static func handle(_ text: String, index: Int, count: Int, rounds: Int, echoes: Int) {
        if text.hasPrefix("ok:join") {
            joined += 1
            if joined == count {
                print("bench joined \(count)")
                start(count: count, rounds: rounds, command: "all")
            }
            return
        }
        if text.hasPrefix("v") && text.hasSuffix(":echo") {
            roundTrips.append(now() - echoSent)
            if roundTrips.count < echoes {
                echoSent = now()
                connections[0].send("echo")
            } else {
                let sorted = roundTrips.sorted()
                let p50 = Double(sorted[sorted.count / 2]) / 1000
                let p99 = Double(sorted[min(sorted.count - 1, sorted.count * 99 / 100)]) / 1000
                print("bench roundtrip p50 \(p50) us p99 \(p99) us")
                print("bench done")
            }
            return
        }
        received += 1
        guard received == count * rounds else { return }
        let seconds = Double(now() - phaseStart) / 1e9
        let rate = Int(Double(count * rounds) / seconds)
        if text.hasPrefix("all") {
            print("bench sendToAll \(rate) deliveries/s")
            start(count: count, rounds: rounds, command: "groups")
        } else {
            print("bench sendToGroup \(rate) deliveries/s")
            echoSent = now()
            connections[0].send("echo")
        }
    }

    static func start(count: Int, rounds: Int, command: String) {
        received = 0
        phaseStart = now()
        connections[0].send("\(command):\(rounds)")
    }
}
