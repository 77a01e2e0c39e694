// nio-line-echo: the SwiftNIO reference server for the "echo" benchmark suite.
// Newline-delimited text protocol: every received line (trailing "\r" stripped)
// is written back followed by "\n". One event-loop thread, like one Workerman worker.
import Foundation
import NIOCore
import NIOPosix

/// Splits the inbound byte stream on "\n"; emits each line without its terminator.
struct LineDecoder: ByteToMessageDecoder {
    typealias InboundOut = ByteBuffer

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        let view = buffer.readableBytesView
        guard let nl = view.firstIndex(of: UInt8(ascii: "\n")) else { return .needMoreData }
        var length = nl - view.startIndex
        let hasCR = length > 0 && view[nl - 1] == UInt8(ascii: "\r")
        if hasCR { length -= 1 }
        let line = buffer.readSlice(length: length)!  // zero-copy slice of the read buffer
        buffer.moveReaderIndex(forwardBy: hasCR ? 2 : 1)  // skip "\r\n" / "\n"
        context.fireChannelRead(wrapInboundOut(line))
        return .continue
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws
        -> DecodingState
    {
        // An unterminated trailing fragment at EOF is dropped, as the protocol requires "\n".
        while try decode(context: context, buffer: &buffer) == .continue {}
        return .needMoreData
    }
}

/// Echoes each line back; writes are batched and flushed once per read burst.
final class LineEchoHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let line = unwrapInboundIn(data)
        var out = context.channel.allocator.buffer(capacity: line.readableBytes + 1)
        out.writeImmutableBuffer(line)
        out.writeInteger(UInt8(ascii: "\n"))
        context.write(wrapOutboundOut(out), promise: nil)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        context.flush()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }
}

let port = Int(ProcessInfo.processInfo.environment["PORT"] ?? "") ?? 5679
let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)

let bootstrap = ServerBootstrap(group: group)
    .serverChannelOption(.backlog, value: 1024)
    .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
    .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
    .childChannelInitializer { channel in
        channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(LineDecoder()))
            try channel.pipeline.syncOperations.addHandler(LineEchoHandler())
        }
    }

let server = try bootstrap.bind(host: "127.0.0.1", port: port).wait()
print("listening on \(server.localAddress?.port ?? port)")
fflush(nil)  // flush all C streams (stdout may be a pipe)
try server.closeFuture.wait()
try group.syncShutdownGracefully()
