import WorkermanCore

/// How WebSocket connections behave: hooks, limits, compression and heartbeat.
///
/// A `websocket://` Worker's options (`worker.webSocket`) are copied to each connection it
/// accepts; a connection's own copy (`connection.webSocket.options`) can then be changed, e.g. in
/// `onConnect`. A `ws://` client sets its options on the connection before `connect()`.
public struct WebSocketOptions {
    /// Server: called with the handshake request before the upgrade; add response headers, pick a
    /// subprotocol, or `reject` it (Workerman's `onWebSocketConnect`). Closing the connection in
    /// it refuses the upgrade too.
    public var onWebSocketConnect: ((TcpConnection, WebSocketRequest, inout WebSocketHandshakeResponse) -> Void)?
    /// Client: called with the server's handshake response once the upgrade is accepted.
    public var onWebSocketResponse: ((TcpConnection, WebSocketResponse) -> Void)?
    /// Both sides: called once the handshake is complete (Workerman's `onWebSocketConnected`).
    public var onWebSocketConnected: ((TcpConnection) -> Void)?
    /// Called with each ping's payload; the pong is sent automatically either way.
    public var onWebSocketPing: ((TcpConnection, [UInt8]) -> Void)?
    /// Called with each pong's payload.
    public var onWebSocketPong: ((TcpConnection, [UInt8]) -> Void)?
    /// Called when the peer sends a close frame, with its code (nil when it sent none) and reason;
    /// the close is answered automatically either way.
    public var onWebSocketClose: ((TcpConnection, UInt16?, String) -> Void)?
    /// The frame type every `send` uses; nil (the default) picks it from the message: `.text` as
    /// text, `.binary` (and a `ByteBuffer` object) as binary. Workerman's `websocketType`.
    public var websocketType: WebSocketMessageType?
    /// The largest message accepted (after decompression); a larger one is refused with close code
    /// 1009. Nil: the connection's `maxPackageSize` (10 MiB by default).
    public var maxMessageSize: Int?
    /// Server: accept permessage-deflate when the client offers it. Client: offer it.
    public var perMessageDeflate = false
    /// With permessage-deflate, reset our compressor after each message (less memory per
    /// connection, less compression).
    public var deflateNoContextTakeover = false
    /// Send a ping every this many seconds (0: never). Workerman's client `websocketPingInterval`.
    public var pingInterval: Double = 0
    /// Close a connection (code 1001) when nothing has arrived for this many seconds (0: never).
    public var idleTimeout: Double = 0
    /// Server: seconds a client has, from connecting, to complete the opening handshake; past it the
    /// connection gets a 408 and closes (default 10; 0: no limit).
    public var handshakeTimeout: Double = 10
    /// Server: keep the handshake request for `connection.webSocket.request` after the handshake
    /// even without an `onWebSocketConnect` hook (which keeps it too). Off by default: an idle
    /// connection then holds no copy of it.
    public var keepsHandshakeRequest = false
    /// Extra header fields: the server adds them to every 101 response, the client to its request.
    public var headers: [(name: String, value: String)] = []
    /// Client: the subprotocols to offer, in order of preference.
    public var subprotocols: [String] = []

    /// The defaults: no hooks, no compression, no heartbeat.
    public init() {}
}

/// Options held by reference: a Worker's, which each of its connections shares until it changes
/// one of its own (an idle connection then keeps one reference, not a copy of every hook).
final class SharedWebSocketOptions {
    @exclusivity(unchecked) var options: WebSocketOptions

    init(_ options: WebSocketOptions) {
        self.options = options
    }

    /// Stores `options` in `shared`: in place when nothing else holds it, in a new box otherwise.
    static func store(_ options: WebSocketOptions, in shared: inout SharedWebSocketOptions) {
        if isKnownUniquelyReferenced(&shared) {
            shared.options = options
        } else {
            shared = SharedWebSocketOptions(options)
        }
    }
}

/// The options a `websocket://` Worker gives its connections, kept by the Worker.
final class WebSocketWorkerSettings: WorkerSettings {
    var shared = SharedWebSocketOptions(WebSocketOptions())
}

extension Worker {
    /// The WebSocket options given to each connection this Worker accepts:
    /// `worker.webSocket.onWebSocketConnect = { connection, request, response in ... }`.
    public var webSocket: WebSocketOptions {
        get { settings(WebSocketWorkerSettings.self).shared.options }
        set { SharedWebSocketOptions.store(newValue, in: &settings(WebSocketWorkerSettings.self).shared) }
    }

    /// The Worker's options as its connections share them.
    var sharedWebSocketOptions: SharedWebSocketOptions { settings(WebSocketWorkerSettings.self).shared }

    /// Workerman's `$worker->onWebSocketConnect`: the same as `webSocket.onWebSocketConnect`.
    public var onWebSocketConnect: ((TcpConnection, WebSocketRequest, inout WebSocketHandshakeResponse) -> Void)? {
        get { webSocket.onWebSocketConnect }
        set { webSocket.onWebSocketConnect = newValue }
    }
}
