import WorkermanCore

/// How WebSocket connections behave: hooks, limits, compression and heartbeat.
///
/// A `websocket://` Worker's options (`worker.webSocket`) are copied to each connection it
/// accepts; a connection's own copy (`connection.webSocket.options`) can then be changed, e.g. in
/// `onConnect`. A `ws://` client sets its options on the connection before `connect()`.
public struct WebSocketOptions {
    // The values live in a shared, copy-on-write storage: every connection of a Worker holds the
    // Worker's options as one reference until it changes one of its own.
    private var storage = Storage()

    /// Server: called with the handshake request before the upgrade; add response headers, pick a
    /// subprotocol, or `reject` it (Workerman's `onWebSocketConnect`). Closing the connection in
    /// it refuses the upgrade too.
    public var onWebSocketConnect: ((TcpConnection, WebSocketRequest, inout WebSocketHandshakeResponse) -> Void)? {
        get { storage.onWebSocketConnect }
        set { uniqueStorage().onWebSocketConnect = newValue }
    }
    /// Client: called with the server's handshake response once the upgrade is accepted.
    public var onWebSocketResponse: ((TcpConnection, WebSocketResponse) -> Void)? {
        get { storage.onWebSocketResponse }
        set { uniqueStorage().onWebSocketResponse = newValue }
    }
    /// Both sides: called once the handshake is complete (Workerman's `onWebSocketConnected`).
    public var onWebSocketConnected: ((TcpConnection) -> Void)? {
        get { storage.onWebSocketConnected }
        set { uniqueStorage().onWebSocketConnected = newValue }
    }
    /// Called with each ping's payload; the pong is sent automatically either way.
    public var onWebSocketPing: ((TcpConnection, [UInt8]) -> Void)? {
        get { storage.onWebSocketPing }
        set { uniqueStorage().onWebSocketPing = newValue }
    }
    /// Called with each pong's payload.
    public var onWebSocketPong: ((TcpConnection, [UInt8]) -> Void)? {
        get { storage.onWebSocketPong }
        set { uniqueStorage().onWebSocketPong = newValue }
    }
    /// Called when the peer sends a close frame, with its code (nil when it sent none) and reason;
    /// the close is answered automatically either way.
    public var onWebSocketClose: ((TcpConnection, UInt16?, String) -> Void)? {
        get { storage.onWebSocketClose }
        set { uniqueStorage().onWebSocketClose = newValue }
    }
    /// The frame type every `send` uses; nil (the default) picks it from the message: `.text` as
    /// text, `.binary` (and a `ByteBuffer` object) as binary. Workerman's `websocketType`.
    public var websocketType: WebSocketMessageType? {
        get { storage.websocketType }
        set { uniqueStorage().websocketType = newValue }
    }
    /// The largest message accepted (after decompression); a larger one is refused with close code
    /// 1009. Nil: the connection's `maxPackageSize` (10 MiB by default).
    public var maxMessageSize: Int? {
        get { storage.maxMessageSize }
        set { uniqueStorage().maxMessageSize = newValue }
    }
    /// Server: accept permessage-deflate when the client offers it. Client: offer it.
    public var perMessageDeflate: Bool {
        get { storage.perMessageDeflate }
        set { uniqueStorage().perMessageDeflate = newValue }
    }
    /// With permessage-deflate, reset our compressor after each message (less memory per
    /// connection, less compression).
    public var deflateNoContextTakeover: Bool {
        get { storage.deflateNoContextTakeover }
        set { uniqueStorage().deflateNoContextTakeover = newValue }
    }
    /// Send a ping every this many seconds (0: never). Workerman's client `websocketPingInterval`.
    public var pingInterval: Double {
        get { storage.pingInterval }
        set { uniqueStorage().pingInterval = newValue }
    }
    /// Close a connection (code 1001) when nothing has arrived for this many seconds (0: never).
    public var idleTimeout: Double {
        get { storage.idleTimeout }
        set { uniqueStorage().idleTimeout = newValue }
    }
    /// Server: seconds a client has, from connecting, to complete the opening handshake; past it the
    /// connection gets a 408 and closes (default 10; 0: no limit).
    public var handshakeTimeout: Double {
        get { storage.handshakeTimeout }
        set { uniqueStorage().handshakeTimeout = newValue }
    }
    /// Server: keep the handshake request for `connection.webSocket.request` after the handshake
    /// even without an `onWebSocketConnect` hook (which keeps it too). Off by default: an idle
    /// connection then holds no copy of it.
    public var keepsHandshakeRequest: Bool {
        get { storage.keepsHandshakeRequest }
        set { uniqueStorage().keepsHandshakeRequest = newValue }
    }
    /// Extra header fields: the server adds them to every 101 response, the client to its request.
    public var headers: [(name: String, value: String)] {
        get { storage.headers }
        set { uniqueStorage().headers = newValue }
    }
    /// Client: the subprotocols to offer, in order of preference.
    public var subprotocols: [String] {
        get { storage.subprotocols }
        set { uniqueStorage().subprotocols = newValue }
    }

    /// The defaults: no hooks, no compression, no heartbeat.
    public init() {}

    /// The storage, copied first when another copy of the options shares it.
    private mutating func uniqueStorage() -> Storage {
        if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
        return storage
    }

    /// The values of a `WebSocketOptions`.
    private final class Storage {
        var onWebSocketConnect: ((TcpConnection, WebSocketRequest, inout WebSocketHandshakeResponse) -> Void)?
        var onWebSocketResponse: ((TcpConnection, WebSocketResponse) -> Void)?
        var onWebSocketConnected: ((TcpConnection) -> Void)?
        var onWebSocketPing: ((TcpConnection, [UInt8]) -> Void)?
        var onWebSocketPong: ((TcpConnection, [UInt8]) -> Void)?
        var onWebSocketClose: ((TcpConnection, UInt16?, String) -> Void)?
        var websocketType: WebSocketMessageType?
        var maxMessageSize: Int?
        var perMessageDeflate: Bool = false
        var deflateNoContextTakeover: Bool = false
        var pingInterval: Double = 0
        var idleTimeout: Double = 0
        var handshakeTimeout: Double = 10
        var keepsHandshakeRequest: Bool = false
        var headers: [(name: String, value: String)] = []
        var subprotocols: [String] = []

        init() {}

        /// A copy with the same values.
        func copy() -> Storage {
            let copy = Storage()
            copy.onWebSocketConnect = onWebSocketConnect
            copy.onWebSocketResponse = onWebSocketResponse
            copy.onWebSocketConnected = onWebSocketConnected
            copy.onWebSocketPing = onWebSocketPing
            copy.onWebSocketPong = onWebSocketPong
            copy.onWebSocketClose = onWebSocketClose
            copy.websocketType = websocketType
            copy.maxMessageSize = maxMessageSize
            copy.perMessageDeflate = perMessageDeflate
            copy.deflateNoContextTakeover = deflateNoContextTakeover
            copy.pingInterval = pingInterval
            copy.idleTimeout = idleTimeout
            copy.handshakeTimeout = handshakeTimeout
            copy.keepsHandshakeRequest = keepsHandshakeRequest
            copy.headers = headers
            copy.subprotocols = subprotocols
            return copy
        }
    }
}

/// The options a `websocket://` Worker gives its connections, kept by the Worker.
final class WebSocketWorkerSettings: WorkerSettings {
    var options = WebSocketOptions()
}

extension Worker {
    /// The WebSocket options given to each connection this Worker accepts:
    /// `worker.webSocket.onWebSocketConnect = { connection, request, response in ... }`.
    public var webSocket: WebSocketOptions {
        get { settings(WebSocketWorkerSettings.self).options }
        set { settings(WebSocketWorkerSettings.self).options = newValue }
    }

    /// Workerman's `$worker->onWebSocketConnect`: the same as `webSocket.onWebSocketConnect`.
    public var onWebSocketConnect: ((TcpConnection, WebSocketRequest, inout WebSocketHandshakeResponse) -> Void)? {
        get { webSocket.onWebSocketConnect }
        set { webSocket.onWebSocketConnect = newValue }
    }
}
