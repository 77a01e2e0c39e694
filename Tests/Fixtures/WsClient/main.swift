// A ws/wss client for the tests: connects to URL, sends MESSAGE after the handshake, prints what it
// receives, exits 0 on the first reply (1 on an error or after 5 s).
import Glibc
import Workerman
import WorkermanTLS

func environment(_ name: String) -> String? { getenv(name).map { String(cString: $0) } }

let connection = try AsyncTcpConnection(environment("URL") ?? "ws://127.0.0.1:9001/")
if let caFile = environment("CA_FILE") { connection.tls = TLSClientContext(caFile: caFile) }
connection.onConnect = { $0.send(environment("MESSAGE") ?? "hello") }
connection.onMessage = { _, data in
    StandardStream.output("received: \(data)\n")
    exit(0)
}
connection.onError = { _, code, message in
    StandardStream.output("error \(code.rawValue): \(message)\n")
    exit(1)
}
connection.connect()
Timer.add(5, persistent: false) { exit(1) }
EventLoop.current.run()
