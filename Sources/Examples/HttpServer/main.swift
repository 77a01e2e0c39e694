// The http-server example: Workerman's WebServer with a static root and a few dynamic routes.
//
//   swift run http-server start            # http://0.0.0.0:8080 (HTTP_PORT overrides; 0 picks a free port)
//   WEB_ROOT=/srv/www swift run http-server start
//   TLS_CERT=chain.pem TLS_KEY=key.pem swift run http-server start     # https on the same port
//
// Static files come from WEB_ROOT (default: the public/ folder next to this file), e.g. /docs/ and
// /hello.txt; "/" says hello, "/echo" answers a JSON description of the request (uploads included,
// with their SHA-256), "/counter" counts the visits of a session ("/counter?peek=1" only reads it), "/chunked" streams a chunked
// response and "/events" a few server-sent events.
//
// Environment: HTTP_PROCESSES (worker count), HTTP_KEEPALIVE_S, HTTP_HEADER_TIMEOUT_S,
// HTTP_BODY_TIMEOUT_S, HTTP_BODY_MIN_RATE, TLS_HANDSHAKE_TIMEOUT_S (the worker's deadlines), HTTP_MAX_BODY
// (bytes), SESSION_DIR (session files), UPLOAD_DIR (worker.http.uploadDirectory), STOP_TIMEOUT_S
// (Worker.stopTimeout), WORKER_PID_HEADER=1 ("/" says which process answered).
import Foundation
import Workerman
import WorkermanTLS

let environment = ProcessInfo.processInfo.environment
let port = environment["HTTP_PORT"] ?? "8080"
let defaultRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("public").path

let helloHeaders = ExampleSettings.pidHeader(environment)  // main runs again in every worker process
let web = WebServer("http://0.0.0.0:\(port)")
ExampleSettings.apply(environment, to: web.worker)
web.worker.name = "HttpServer"
web.count = Int(environment["HTTP_PROCESSES"] ?? "") ?? 1
if let certificate = environment["TLS_CERT"], let key = environment["TLS_KEY"] {
    web.worker.tls = TLSServerContext(certificateChain: certificate, privateKey: key, alpn: ["http/1.1"])
}
web.addRoot("localhost", environment["WEB_ROOT"] ?? defaultRoot)
web.onRequest = { connection, request in
    switch request.path {
    case "/":
        if helloHeaders.isEmpty {
            connection.send("Hello, World!")
        } else {
            connection.send(Response(200, headers: HttpHeaders(helloHeaders), body: "Hello, World!"))
        }
    case "/echo":
        connection.send(EchoReply.response(for: request))
    case "/counter":
        let session = request.session
        if request.get("peek") != nil {  // reads the session only: a new visitor gets no session
            connection.send(
                Response(200, headers: ["Content-Type": "text/plain"], body: "visits \(session.get("visits") ?? "0")"))
            return
        }
        let visits = (Int(session.get("visits") ?? "") ?? 0) + 1
        session.set("visits", "\(visits)")
        if request.get("reset") != nil { session.flush() }
        connection.send(Response(200, headers: ["Content-Type": "text/plain"], body: "visits \(visits)"))
    case "/chunked":
        connection.send(Response(200, headers: ["Transfer-Encoding": "chunked", "Content-Type": "text/plain"]))
        for part in ["one ", "two ", "three"] { connection.send(Chunk(part)) }
        connection.send(Chunk(""))
    case "/events":
        connection.send(Response(200, headers: ["Content-Type": "text/event-stream", "Cache-Control": "no-cache"]))
        var sent = 0
        Timer.add(0.05) { [weak connection] in
            guard let connection, sent < 3 else { return }
            sent += 1
            connection.send(ServerSentEvent(data: "tick \(sent)", event: "clock", id: "\(sent)"))
            if sent == 3 { connection.close() }
        }
    default:
        connection.send(Response(404, body: "<h1>404 Not Found</h1>"))
    }
}

Worker.runAll()
