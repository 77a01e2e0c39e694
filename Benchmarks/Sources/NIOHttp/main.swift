// nio-http: the SwiftNIO reference server for the "http" benchmark suite.
// Answers every request with `200 OK`, `Content-Type: text/plain`, body "Hello, World!",
// keeping the connection alive (unless the client asks otherwise). Pipelined requests are
// handled by NIO's own HTTPServerPipelineHandler (configureHTTPServerPipeline), which
// delivers one request at a time and keeps the responses in order.
//
//   PORT=8080 THREADS=1 nio-http        (THREADS event-loop threads; default 1, like one worker)
import Foundation
import NIOCore
import NIOHTTP1
import NIOHelloHandler
import NIOPosix

let environment = ProcessInfo.processInfo.environment
let port = Int(environment["PORT"] ?? "") ?? 8080
let threads = max(1, Int(environment["THREADS"] ?? "") ?? 1)
let group = MultiThreadedEventLoopGroup(numberOfThreads: threads)

let bootstrap = ServerBootstrap(group: group)
    .serverChannelOption(.backlog, value: 1024)
    .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
    .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
    .childChannelInitializer { channel in
        channel.eventLoop.makeCompletedFuture {
            let sync = channel.pipeline.syncOperations
            try sync.configureHTTPServerPipeline()  // pipelining assistance + error handling on
            try sync.addHandler(HelloHandler(allocator: channel.allocator))
        }
    }

let server = try bootstrap.bind(host: "127.0.0.1", port: port).wait()
print("listening on \(server.localAddress?.port ?? port) with \(threads) event-loop thread(s)")
fflush(nil)  // flush all C streams (stdout may be a pipe)
try server.closeFuture.wait()
try group.syncShutdownGracefully()
