import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// Serves `HelloHandler` on 127.0.0.1:`port` with `threads` event-loop threads until the server
/// closes: NIO's HTTP/1 pipeline (pipelining assistance and error handling on) after whatever
/// `addFirst` puts in front of it (nio-https: the TLS handler). Prints the port once listening.
public func serveHello(
    port: Int, threads: Int, label: String,
    addFirst: @escaping @Sendable (ChannelPipeline.SynchronousOperations) throws -> Void = { _ in }
) throws {
    let group = MultiThreadedEventLoopGroup(numberOfThreads: threads)
    let bootstrap = ServerBootstrap(group: group)
        .serverChannelOption(.backlog, value: 1024)
        .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
        .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
        .childChannelInitializer { channel in
            channel.eventLoop.makeCompletedFuture {
                let sync = channel.pipeline.syncOperations
                try addFirst(sync)
                try sync.configureHTTPServerPipeline()
                try sync.addHandler(HelloHandler(allocator: channel.allocator))
            }
        }
    let server = try bootstrap.bind(host: "127.0.0.1", port: port).wait()
    print("listening\(label) on \(server.localAddress?.port ?? port) with \(threads) event-loop thread(s)")
    fflush(nil)  // flush all C streams (stdout may be a pipe)
    try server.closeFuture.wait()
    try group.syncShutdownGracefully()
}
