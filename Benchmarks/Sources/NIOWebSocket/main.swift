// nio-websocket: the SwiftNIO reference server for the "ws" benchmark suite.
// A WebSocket echo server (text as text, binary as binary, pings answered, close echoed) on one
// event-loop thread, like one Workerman worker. A text message "/broadcast REST" sends REST to
// every connected client instead (the fan-out benchmark), as ws-echo does with WS_BROADCAST=1.
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket

/// The open WebSocket channels; touched only on the single event loop.
final class Subscribers: @unchecked Sendable {
    var channels: [ObjectIdentifier: Channel] = [:]
}

let subscribers = Subscribers()
let broadcastPrefix = Array("/broadcast ".utf8)

/// Echoes data frames, answers pings and closes, and fans "/broadcast " messages out.
final class WebSocketEchoHandler: ChannelInboundHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    func handlerAdded(context: ChannelHandlerContext) {
        subscribers.channels[ObjectIdentifier(context.channel)] = context.channel
    }

    func channelInactive(context: ChannelHandlerContext) {
        subscribers.channels[ObjectIdentifier(context.channel)] = nil
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        switch frame.opcode {
        case .text, .binary:
            let payload = frame.unmaskedData
            if frame.opcode == .text, payload.readableBytesView.starts(with: broadcastPrefix) {
                let rest = payload.getSlice(
                    at: payload.readerIndex + broadcastPrefix.count,
                    length: payload.readableBytes - broadcastPrefix.count)!
                let out = WebSocketFrame(fin: true, opcode: .text, data: rest)
                for channel in subscribers.channels.values { channel.writeAndFlush(out, promise: nil) }
                return
            }
            context.write(wrapOutboundOut(WebSocketFrame(fin: true, opcode: frame.opcode, data: payload)), promise: nil)
        case .ping:
            context.write(
                wrapOutboundOut(WebSocketFrame(fin: true, opcode: .pong, data: frame.unmaskedData)), promise: nil)
        case .connectionClose:
            let close = WebSocketFrame(fin: true, opcode: .connectionClose, data: frame.unmaskedData)
            context.writeAndFlush(wrapOutboundOut(close)).whenComplete { _ in context.close(promise: nil) }
        default:
            break
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        context.flush()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }
}

let port = Int(ProcessInfo.processInfo.environment["PORT"] ?? "") ?? 9002
let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)

let upgrader = NIOWebSocketServerUpgrader(
    maxFrameSize: 1 << 24,
    shouldUpgrade: { channel, _ in channel.eventLoop.makeSucceededFuture(HTTPHeaders()) },
    upgradePipelineHandler: { channel, _ in
        channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.addHandler(WebSocketEchoHandler())
        }
    }
)

let bootstrap = ServerBootstrap(group: group)
    .serverChannelOption(.backlog, value: 1024)
    .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
    .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
    .childChannelInitializer { channel in
        channel.pipeline.configureHTTPServerPipeline(
            withServerUpgrade: (upgraders: [upgrader], completionHandler: { _ in })
        )
    }

let server = try bootstrap.bind(host: "127.0.0.1", port: port).wait()
print("listening on \(server.localAddress?.port ?? port)")
fflush(nil)  // flush all C streams (stdout may be a pipe)
try server.closeFuture.wait()
try group.syncShutdownGracefully()
