import WorkermanCore
import WorkermanProtocols
import WorkermanTimer

/// GatewayWorker's Gateway: holds the client connections and forwards their events to business
/// workers, and carries out what the Gateway API asks (send, bind, group, session, queries).
///
/// ```swift
/// let gateway = Gateway("websocket://0.0.0.0:7273")   // new Gateway("websocket://0.0.0.0:7273");
/// gateway.worker.count = 2                             // $gateway->count = 2;
/// gateway.lanIp = "10.0.0.2"                           // $gateway->lanIp = '10.0.0.2';
/// gateway.startPort = 2900                             // $gateway->startPort = 2900;
/// gateway.registerAddress = ["10.0.0.1:1236"]          // $gateway->registerAddress = '10.0.0.1:1236';
/// ```
/// Any client protocol works (`websocket://`, `text://`, `frame://`, yours). Each process also
/// listens on `lanIp:(startPort + id)` for business workers and API clients (GatewayProtocol) and
/// announces that address to every register. `lanIp` must be an IPv4 address: the wire's address
/// fields are 4 bytes (an IPv6 `lanIp` stops the process with that reason).
///
/// Not reloadable by default, so that reloading the business code drops no client. When a business
/// worker of this library leaves (reload, stop) it says so first: the gateway routes nothing more to
/// it, holds the events of the clients it served until it has handled everything already sent, then
/// hands them, in order, to another worker. Events also wait (up to `workerWaitTimeout`) while no
/// business worker is connected at all.
public final class Gateway {
    /// The client-facing Worker: set `count`, `name`, `user`, TLS on it.
    public let worker: Worker
    /// This server's LAN IPv4 address, which business workers and API clients connect to.
    public var lanIp = "127.0.0.1"
    /// The first internal port; process `id` listens on `startPort + id`.
    public var startPort = 2000
    /// The register(s) to announce this gateway to ("host:port").
    public var registerAddress = ["127.0.0.1:1236"]
    /// The key business workers and API clients must present; empty for none.
    public var secretKey = ""
    /// Seconds between heartbeat checks (0: none).
    public var pingInterval = 0.0
    /// Missed heartbeats before a client is closed (0: never closed for silence).
    public var pingNotResponseLimit = 0
    /// Sent to each client every `pingInterval` when not empty.
    public var pingData = ""
    /// How clients are spread over business workers.
    public var router = GatewayRouter.sticky
    /// The send buffer of each business worker connection.
    public var sendToWorkerBufferSize = 10_240_000
    /// The send buffer of each client connection.
    public var sendToClientBufferSize = 1_024_000
    /// Seconds a client's events may wait for a business worker before the client is closed.
    public var workerWaitTimeout = 30.0
    /// Runs in each gateway process after it started listening internally.
    public var onWorkerStart: ((Gateway) -> Void)?
    /// Runs in each gateway process when it stops.
    public var onWorkerStop: ((Gateway) -> Void)?
    /// Runs when a client connects, before the business worker hears of it.
    public var onConnect: ((TcpConnection) -> Void)?
    /// Runs when a client has closed, after the business worker was told.
    public var onClose: ((TcpConnection) -> Void)?
    /// Runs when a business worker connects.
    public var onBusinessWorkerConnected: ((BusinessWorkerInfo) -> Void)?
    /// Runs when a business worker's connection closes.
    public var onBusinessWorkerClose: ((BusinessWorkerInfo) -> Void)?

    /// The internal listener of this process (nil before it started).
    public private(set) var innerWorker: Worker?
    /// This process's internal port (`startPort + id`), once started.
    public private(set) var lanPort: UInt16 = 0
    var lanAddress: UInt32 = 0
    var clientPort: UInt16 = 0
    /// Client records by connection number.
    var clients: [UInt32: ClientRecord] = [:]
    /// Closed or open clients that still have events waiting for a worker.
    var heldClients: [UInt32: ClientRecord] = [:]
    var uidClients: [String: Set<UInt32>] = [:]
    var groupClients: [String: Set<UInt32>] = [:]
    /// Business workers by key, and their order of arrival.
    var workerLinks: [String: WorkerLink] = [:]
    var workerOrder: [String] = []
    private var nextConnectionID: UInt32 = 0
    private var registerConnections: [AsyncTcpConnection] = []
    var holdTimer: TimerID?

    /// A gateway for clients on `address` (`websocket://0.0.0.0:7273`, `text://...`, ...).
    public init(_ address: String) {
        worker = Worker(address)
        worker.name = "Gateway"
        worker.reloadable = false
        worker.onWorkerStart = { [self] _ in try start() }
        worker.onWorkerStop = { [self] _ in onWorkerStop?(self) }
        worker.onConnect = { [self] connection in clientConnected(connection) }
        worker.onMessage = { [self] connection, message in clientMessage(connection, message) }
        worker.onClose = { [self] connection in clientClosed(connection) }
    }

    /// Throws when `lanIp` is not an IPv4 address.
    public func validate() throws(GatewayError) {
        guard IPv4.parse(lanIp) != nil else {
            throw GatewayError(
                "lanIp \(lanIp) is not an IPv4 address: GatewayProtocol's address fields are 4 bytes, so gateways "
                    + "need an IPv4 LAN address")
        }
    }

    /// The number of clients this process holds.
    public var clientCount: Int { clients.count }

    /// The keys of the business workers connected to this process, in arrival order.
    public var businessWorkerKeys: [String] { workerOrder }

    private func start() throws {
        try validate()
        lanAddress = IPv4.parse(lanIp)!
        lanPort = UInt16(startPort + worker.id)
        clientPort = worker.listeningPort ?? worker.address?.port ?? 0
        let inner = Worker("tcp://\(lanIp):\(lanPort)")
        inner.protocol = GatewayProtocol.self
        inner.name = "GatewayInnerWorker"
        inner.onConnect = { [self] connection in
            connection.maxSendBufferSize = sendToWorkerBufferSize
            connection.context[.gatewayAuthorized] = secretKey.isEmpty
        }
        inner.onMessage = { [self] connection, message in
            guard let frame = message.value(as: GatewayFrame.self) else { return }
            handleInner(frame, from: connection)
        }
        inner.onClose = { [self] connection in innerClosed(connection) }
        try inner.listen()
        innerWorker = inner
        if isWebSocket { installWebSocketForwarding() }
        startPings()
        connectToRegisters()
        onWorkerStart?(self)
    }

    private var isWebSocket: Bool {
        guard let wire = worker.protocol else { return false }
        return ObjectIdentifier(wire) == ObjectIdentifier(WebSocket.self)
    }

    // MARK: clients

    private func makeConnectionID() -> UInt32 {
        repeat { nextConnectionID &+= 1 } while nextConnectionID == 0 || clients[nextConnectionID] != nil
        return nextConnectionID
    }

    private func clientConnected(_ connection: TcpConnection) {
        var header = GatewayFrame(.onConnect)
        header.localIP = lanAddress
        header.localPort = lanPort
        header.clientIP = IPv4.parse(connection.getRemoteIp()) ?? 0
        header.clientPort = UInt16(clamping: connection.getRemotePort())
        header.connectionID = makeConnectionID()
        header.gatewayPort = clientPort
        let record = ClientRecord(connection: connection, header: header)
        connection.maxSendBufferSize = sendToClientBufferSize
        connection.context[.gatewayConnectionID] = header.connectionID
        clients[header.connectionID] = record
        onConnect?(connection)
        sendToWorker(.onConnect, record)
    }

    private func clientMessage(_ connection: Connection, _ message: Message) {
        guard let id = connection.context[.gatewayConnectionID], let record = clients[id] else { return }
        record.pingNotResponseCount = -1
        sendToWorker(.onMessage, record, body: message.bytes)
    }

    private func clientClosed(_ connection: TcpConnection) {
        guard let id = connection.context[.gatewayConnectionID], let record = clients.removeValue(forKey: id) else {
            return
        }
        record.isClosed = true
        sendToWorker(.onClose, record)
        if let uid = record.uid { remove(id, fromUid: uid) }
        for group in record.groups { remove(id, fromGroup: group) }
        releaseIfDone(record)
        onClose?(connection)
    }

    func remove(_ id: UInt32, fromUid uid: String) {
        uidClients[uid]?.remove(id)
        if uidClients[uid]?.isEmpty == true { uidClients[uid] = nil }
    }

    func remove(_ id: UInt32, fromGroup group: String) {
        groupClients[group]?.remove(id)
        if groupClients[group]?.isEmpty == true { groupClients[group] = nil }
    }

    /// `body` as a message for clients: text when it is UTF-8 (a websocket text frame, as PHP sends
    /// strings), else bytes.
    func clientMessage(_ body: [UInt8]) -> Message {
        String(validating: body, as: UTF8.self).map { .text($0) } ?? .binary(body)
    }

    // MARK: websocket handshake

    private func installWebSocketForwarding() {
        let users = worker.onWebSocketConnect
        worker.onWebSocketConnect = { [self] connection, request, response in
            users?(connection, request, &response)
            guard let id = connection.context[.gatewayConnectionID], let record = clients[id] else { return }
            sendToWorker(.onWebSocketConnect, record, value: handshakeData(request, connection))
        }
    }

    /// What GatewayWorker sends with `CMD_ON_WEBSOCKET_CONNECT`: `get`, `server`, `cookie`.
    private func handshakeData(_ request: WebSocketRequest, _ connection: TcpConnection) -> PHPValue {
        var server: PHPArray = [
            "QUERY_STRING": .string(request.queryString), "REQUEST_METHOD": .string(request.method),
            "REQUEST_URI": .string(request.uri), "SERVER_PROTOCOL": .string("HTTP/\(request.version)"),
            "SERVER_NAME": .string(String((request.header("host") ?? "").split(separator: ":").first ?? "")),
            "CONTENT_TYPE": request.header("content-type").map { .string($0) } ?? .null,
            "REMOTE_ADDR": .string(connection.getRemoteIp()), "REMOTE_PORT": .int(connection.getRemotePort()),
            "SERVER_PORT": .int(connection.getLocalPort()),
        ]
        for (name, value) in request.headers {
            let key = "HTTP_" + String(name.uppercased().map { $0 == "-" ? "_" : $0 })
            server[PHPKey(key)] = .string(value)
        }
        let get = PHPArray(request.query.sorted { $0.key < $1.key }.map { (PHPKey($0.key), PHPValue.string($0.value)) })
        let cookie = PHPArray(
            request.cookies.sorted { $0.key < $1.key }.map { (PHPKey($0.key), PHPValue.string($0.value)) })
        return ["get": .array(get), "server": .array(server), "cookie": .array(cookie)]
    }

    // MARK: heartbeats and the register

    private func startPings() {
        if pingInterval > 0 {
            Timer.add(pingNotResponseLimit > 0 ? pingInterval / 2 : pingInterval) { [self] in pingClients() }
        }
        if lanIp != "127.0.0.1" {
            Timer.add(25) { [self] in
                for link in workerLinks.values { link.connection.send(.object(GatewayFrame(.ping))) }
            }
        }
    }

    /// GatewayWorker's heartbeat: a client silent for `pingNotResponseLimit` intervals is closed.
    private func pingClients() {
        let data = pingData
        for record in Array(clients.values) {
            if pingNotResponseLimit > 0 && record.pingNotResponseCount >= pingNotResponseLimit * 2 {
                record.connection.destroy()
                continue
            }
            record.pingNotResponseCount += 1
            guard !data.isEmpty else { continue }
            if record.pingNotResponseCount == 0 || (pingNotResponseLimit > 0 && record.pingNotResponseCount % 2 == 1) {
                continue
            }
            record.connection.send(.text(data))
        }
    }

    private func connectToRegisters() {
        let hello = RegisterMessage.gatewayConnect(address: "\(lanIp):\(lanPort)", secretKey: secretKey)
        for address in registerAddress {
            if let link = RegisterLink.open(address, hello: hello, keep: { true }) { registerConnections.append(link) }
        }
    }
}

/// A gateway setting that cannot work, or a Gateway API call that failed.
public struct GatewayError: Error, CustomStringConvertible, Equatable {
    /// What went wrong.
    public let description: String
    /// An error with `description`.
    public init(_ description: String) { self.description = description }
}

extension ContextKey where Value == UInt32 {
    /// A client connection's number in its gateway.
    static var gatewayConnectionID: Self { .init("gateway.connectionID") }
}

extension ContextKey where Value == Bool {
    /// An internal connection that presented the secret key (or none is needed).
    static var gatewayAuthorized: Self { .init("gateway.authorized") }
}

extension ContextKey where Value == String {
    /// The key of a business worker's internal connection.
    static var gatewayWorkerKey: Self { .init("gateway.workerKey") }
}
