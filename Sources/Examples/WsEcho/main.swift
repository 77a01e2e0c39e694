// ws-echo: a WebSocket echo server. Text comes back as text, binary as binary; messages up to
// 16 MiB; permessage-deflate when the client offers it. The Autobahn|Testsuite runs against it.
// With WS_BROADCAST=1, a text message "/broadcast REST" sends REST to every connection of the
// process instead, encoded once (the fan-out benchmark, Benchmarks/suites/ws.sh).
//
//   WS_PORT=9001 ws-echo start
//   python3 -m websockets ws://127.0.0.1:9001/
//
// With TLS_CERT and TLS_KEY naming a certificate chain and its key, it serves wss:// on the same port.
import Glibc
import Workerman
import WorkermanTLS

let port = getenv("WS_PORT").map { String(cString: $0) } ?? "9001"
let broadcasts = getenv("WS_BROADCAST").map { String(cString: $0) } == "1"

let worker = Worker("websocket://0.0.0.0:\(port)")
worker.name = "WsEcho"
worker.webSocket.maxMessageSize = 16 * 1024 * 1024
worker.webSocket.perMessageDeflate = true
if let certificate = getenv("TLS_CERT").map({ String(cString: $0) }),
    let key = getenv("TLS_KEY").map({ String(cString: $0) })
{
    worker.tls = TLSServerContext(certificateChain: certificate, privateKey: key)
}
worker.onMessage = { connection, data in
    if broadcasts, case .text(let text) = data, text.utf8.first == UInt8(ascii: "/"), text.hasPrefix("/broadcast ") {
        WebSocket.broadcast(.text(String(text.dropFirst(11))), to: worker.connections.values)
        return
    }
    connection.send(data)
}

Worker.runAll()
