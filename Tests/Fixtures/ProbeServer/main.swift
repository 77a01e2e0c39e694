// A server for the process-model tests: a text Worker whose answers tell which build, Worker id and
// process replied. The tests patch `build` in a copy of this executable to simulate a rebuild.
import Glibc
import Workerman
import WorkermanTLS

let build = "probe-build-00000000000000000000000000000000"

func environment(_ name: String) -> String? { getenv(name).map { String(cString: $0) } }

struct StartFailure: Error, CustomStringConvertible {
    var description: String { "FAIL_START is set" }
}

if let seconds = environment("STOP_TIMEOUT").flatMap(Double.init) { Worker.stopTimeout = seconds }
let worker = Worker("text://127.0.0.1:\(environment("PORT") ?? "0")")
worker.count = Int(environment("COUNT") ?? "4") ?? 4
worker.name = environment("NAME") ?? "probe"
worker.reusePort = environment("REUSE_PORT") == "1"
worker.user = environment("RUN_AS")
worker.maxConnections = environment("MAX_CONNECTIONS").flatMap(Int.init)
if let bytes = environment("MAX_BUFFERED").flatMap(Int.init) { worker.maxBufferedBytes = bytes }
if let certificate = environment("TLS_CERT"), let key = environment("TLS_KEY") {
    worker.tls = TLSServerContext(certificateChain: certificate, privateKey: key)
}
worker.onWorkerStart = { worker in
    if environment("FAIL_START") == "1" { throw StartFailure() }
    StandardStream.output("started id=\(worker.id) pid=\(getpid())\n")
}
worker.onWorkerStop = { worker in StandardStream.output("stopped id=\(worker.id) pid=\(getpid())\n") }
worker.onWorkerReload = { worker in StandardStream.output("reloading id=\(worker.id) pid=\(getpid())\n") }
worker.onMessage = { connection, data in
    switch data.string {
    case "version": connection.send(build)
    case "whoami": connection.send("\(worker.id) \(getpid())")
    case "print":
        print("printed by pid=\(getpid())")  // Swift's print: C's stdout, a file in the tests
        connection.send("ok")
    default: connection.send(data)
    }
}
// A raw udp:// echo beside the text Worker when UDP_PORT is set (for `status` on datagrams).
if let udpPort = environment("UDP_PORT") {
    let udp = Worker("udp://127.0.0.1:\(udpPort)")
    udp.name = "probe-udp"
    udp.onDatagram = { connection, data in connection.send(data) }
}
Worker.runAll()
