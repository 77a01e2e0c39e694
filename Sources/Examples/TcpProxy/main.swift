// tcp-proxy: the manual's TCP proxy. Every connection on PORT (default 8000) is forwarded to
// UPSTREAM (host:port, default 127.0.0.1:80) and back, with pipe()'s flow control: a side that
// reads faster than the other can write is paused until the other drains.
//
//   UPSTREAM=127.0.0.1:5678 tcp-proxy start
import Foundation
import Workerman

let environment = ProcessInfo.processInfo.environment
let upstreamAddress = "tcp://" + (environment["UPSTREAM"] ?? "127.0.0.1:80")

let proxy = Worker("tcp://0.0.0.0:\(environment["PORT"] ?? "8000")")
proxy.name = "TcpProxy"
proxy.count = 4
proxy.onConnect = { client in
    guard let upstream = try? AsyncTcpConnection(upstreamAddress) else {
        client.close()
        return
    }
    client.pipe(to: upstream)
    upstream.pipe(to: client)
    upstream.onError = { _, _, message in Log.write("upstream \(upstreamAddress): \(message)") }
    upstream.connect()
}

Worker.runAll()
