// nio-http: the SwiftNIO reference server for the "http" benchmark suite.
// Answers every request with `200 OK`, `Content-Type: text/plain`, body "Hello, World!",
// keeping the connection alive (unless the client asks otherwise). Pipelined requests are
// handled by NIO's own HTTPServerPipelineHandler (configureHTTPServerPipeline), which
// delivers one request at a time and keeps the responses in order.
//
//   PORT=8080 THREADS=1 nio-http        (THREADS event-loop threads; default 1, like one worker)
import Foundation
import NIOHelloHandler

let environment = ProcessInfo.processInfo.environment
let port = Int(environment["PORT"] ?? "") ?? 8080
let threads = max(1, Int(environment["THREADS"] ?? "") ?? 1)
try serveHello(port: port, threads: threads, label: "")
