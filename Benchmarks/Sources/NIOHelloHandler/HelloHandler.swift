import NIOCore
import NIOHTTP1

/// The "Hello, World!" responder shared by nio-http and nio-https: answers each request once its
/// `.end` part has arrived; writes are flushed once per read burst (channelReadComplete), so that 16
/// pipelined requests cost one `writev`.
public final class HelloHandler: ChannelInboundHandler {
    public typealias InboundIn = HTTPServerRequestPart
    public typealias OutboundOut = HTTPServerResponsePart

    private static let bodyBytes = Array("Hello, World!".utf8)
    private static let headers: HTTPHeaders = [
        "Content-Type": "text/plain",
        "Content-Length": String(bodyBytes.count),
    ]

    private var body: ByteBuffer
    private var keepAlive = true
    private var needsFlush = false

    public init(allocator: ByteBufferAllocator) {
        body = allocator.buffer(bytes: Self.bodyBytes)
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let request):
            keepAlive = request.isKeepAlive
        case .body:
            break
        case .end:
            var headers = Self.headers
            // HTTP/1.1 keeps the connection unless told not to; HTTP/1.0 only if asked to.
            if !keepAlive { headers.replaceOrAdd(name: "Connection", value: "close") }
            let head = HTTPResponseHead(version: .http1_1, status: .ok, headers: headers)
            context.write(wrapOutboundOut(.head(head)), promise: nil)
            context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)  // shares storage
            if keepAlive {
                context.write(wrapOutboundOut(.end(nil)), promise: nil)
                needsFlush = true
            } else {
                let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
                context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in
                    bound.value.close(promise: nil)
                }
                needsFlush = false
            }
        }
    }

    public func channelReadComplete(context: ChannelHandlerContext) {
        if needsFlush {
            needsFlush = false
            context.flush()
        }
        context.fireChannelReadComplete()
    }

    public func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }
}
