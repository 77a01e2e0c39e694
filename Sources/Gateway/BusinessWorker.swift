import Glibc
import WorkermanCore
import WorkermanProtocols
import WorkermanTimer

/// GatewayWorker's BusinessWorker: runs the application's event handlers for the clients that
/// gateways hold.
///
/// ```swift
/// let business = BusinessWorker()                   // $worker = new BusinessWorker();
/// business.worker.count = 4                         // $worker->count = 4;
/// business.registerAddress = ["127.0.0.1:1236"]     // $worker->registerAddress = '127.0.0.1:1236';
/// business.onMessage = { clientID, message in       // Events::onMessage($client_id, $message)
///     business.api.sendToAll("\(clientID) said \(message)")
/// }
/// ```
/// It asks the register(s) for the gateways, connects to every one (and to new ones as they are
/// announced), and runs `onConnect` / `onWebSocketConnect` / `onMessage` / `onClose` with the client
/// in `GatewayContext` (id, address, session; a session changed in the event is saved back).
///
/// When it leaves (reload, stop) it first tells its gateways, which route nothing more to it and
/// acknowledge; it handles every event they sent before the acknowledgement, lets its replies go
/// out, and only then exits, so that a reload loses no event (`leaveTimeout` bounds the wait).
public final class BusinessWorker {
    /// The Worker running the processes (no listener): set `count`, `name`.
    public let worker: Worker
    /// The register(s) to ask for the gateways ("host:port").
    public var registerAddress = ["127.0.0.1:1236"]
    /// The gateways' and register's `secretKey`.
    public var secretKey = ""
    /// The send buffer of each gateway connection.
    public var sendToGatewayBufferSize = 10_240_000
    /// Seconds a leaving worker waits for its gateways' acknowledgements and its last replies.
    public var leaveTimeout = 1.5
    /// Runs in each process when it starts (after connecting to the register began).
    public var onWorkerStart: ((BusinessWorker) -> Void)?
    /// Runs in each process when it stops.
    public var onWorkerStop: ((BusinessWorker) -> Void)?
    /// `Events::onConnect($client_id)`.
    public var onConnect: ((ClientID) -> Void)?
    /// `Events::onWebSocketConnect($client_id, $data)`: `get`, `server`, `cookie` of the handshake.
    public var onWebSocketConnect: ((ClientID, PHPArray) -> Void)?
    /// `Events::onMessage($client_id, $message)`: text when the bytes are UTF-8, else binary.
    public var onMessage: ((ClientID, Message) -> Void)?
    /// `Events::onClose($client_id)`.
    public var onClose: ((ClientID) -> Void)?

    /// The Gateway API of this process: sends go over its own gateway connections, in order with
    /// the events it handles.
    public private(set) lazy var api = AsyncGatewayClient(businessWorker: self)
    /// The gateway addresses the register announced last.
    public private(set) var gatewayAddresses: [String] = []
    /// Connected gateways by address.
    private var gatewayConnections: [String: AsyncTcpConnection] = [:]
    private var connecting: [String: AsyncTcpConnection] = [:]
    private var registerConnections: [AsyncTcpConnection] = []
    /// Per client: the session as this worker last wrote it, and as it was before, to recognize
    /// events the gateway stamped before it applied that write.
    private var sessionWrites: [ClientID: (before: [UInt8], after: [UInt8])] = [:]
    private var isLeaving = false
    private var awaitingAcknowledgement: Set<String> = []

    /// A business worker named "BusinessWorker".
    public init() {
        worker = Worker()
        worker.name = "BusinessWorker"
        worker.onWorkerStart = { [self] _ in start() }
        worker.onWorkerReload = { [self] worker in
            // Leave on our own terms: the gateways first, then stop.
            worker.reloadable = false
            leave { Worker.stopAll() }
        }
        worker.onWorkerStop = { [self] _ in
            if !isLeaving { announceLeaving() }
            onWorkerStop?(self)
        }
    }

    private var workerKey: String { "\(worker.name):\(worker.id):\(getpid())" }

    private func start() {
        for address in registerAddress { connectToRegister(address) }
        onWorkerStart?(self)
    }

    // MARK: register

    private func connectToRegister(_ address: String) {
        let hello = RegisterMessage.workerConnect(secretKey: secretKey)
        let onLine: (String) -> Void = { [self] line in
            guard case .broadcastAddresses(let addresses)? = try? RegisterMessage(decoding: line) else {
                return Log.write("BusinessWorker: bad line from the register: \(line)")
            }
            gatewayAddresses = addresses
            for gateway in addresses { connectToGateway(gateway) }
        }
        let keep = { [self] in !isLeaving }
        if let link = RegisterLink.open(address, hello: hello, keep: keep, onLine: onLine) {
            registerConnections.append(link)
        }
    }

    // MARK: gateways

    private func connectToGateway(_ address: String) {
        guard !isLeaving, gatewayConnections[address] == nil, connecting[address] == nil else { return }
        let connection: AsyncTcpConnection
        do {
            connection = try AsyncTcpConnection("tcp://\(address)")
        } catch {
            return Log.write("BusinessWorker: bad gateway address \(address): \(error)")
        }
        connection.protocol = GatewayProtocol.self
        connection.maxSendBufferSize = sendToGatewayBufferSize
        let hello = PHPJSON.encode(["worker_key": .string(workerKey), "secret_key": .string(secretKey)])
        connection.send(.object(GatewayFrame(.workerConnect, body: .string(hello))))
        connection.onConnect = { [self] connection in
            connecting[address] = nil
            gatewayConnections[address] = connection
        }
        connection.onMessage = { [self] _, message in
            guard let frame = message.value(as: GatewayFrame.self) else { return }
            handle(frame, from: address)
        }
        connection.onClose = { [self] connection in
            connecting[address] = nil
            if gatewayConnections[address] === connection { gatewayConnections[address] = nil }
            awaitingAcknowledgement.remove(address)
            guard !isLeaving, gatewayAddresses.contains(address) else { return }
            Timer.add(1, persistent: false) { [weak self] in self?.connectToGateway(address) }
        }
        connecting[address] = connection
        connection.connect()
    }

    /// Sends a frame to the gateway at `address`; false when not connected to it.
    func send(_ frame: GatewayFrame, to address: String) -> Bool {
        guard let connection = gatewayConnections[address] else { return false }
        return connection.send(.object(frame)) != .failed
    }

    // MARK: events

    private func handle(_ frame: GatewayFrame, from address: String) {
        switch frame.command {
        case .ping: return
        case .leaveAcknowledged:
            awaitingAcknowledgement.remove(address)
            return
        case .onConnect, .onMessage, .onClose, .onWebSocketConnect: break
        default: return Log.write("BusinessWorker: unexpected \(frame.command) from gateway \(address)")
        }
        let id = frame.clientID
        GatewayContext.clientID = id
        GatewayContext.remoteIP = IPv4.text(frame.clientIP)
        GatewayContext.remotePort = Int(frame.clientPort)
        GatewayContext.gatewayPort = Int(frame.gatewayPort)
        var stamped = frame.extData
        // An event the gateway stamped before it applied this worker's last session write.
        if let write = sessionWrites[id], stamped == write.before { stamped = write.after }
        let session = stamped.isEmpty ? nil : try? PHPSerialization.unserializeSession(stamped)
        GatewayContext.session = session
        GatewayContext.sessionAtStart = session
        defer { GatewayContext.clear() }
        switch frame.command {
        case .onConnect: onConnect?(id)
        case .onMessage:
            let body =
                frame.flags.contains(.bodyIsScalar)
                ? frame.body : Array(((try? frame.bodyValue()) ?? "").stringValue.utf8)
            onMessage?(id, String(validating: body, as: UTF8.self).map { .text($0) } ?? .binary(body))
        case .onWebSocketConnect: onWebSocketConnect?(id, ((try? frame.bodyValue()) ?? .null).array ?? [:])
        default:
            sessionWrites[id] = nil
            onClose?(id)
            return
        }
        if GatewayContext.session != GatewayContext.sessionAtStart {
            let bytes = GatewayContext.session.map { PHPSerialization.serialize($0) } ?? []
            var update = GatewayFrame(.setSession)
            update.connectionID = id.connectionID
            update.extData = bytes
            _ = send(update, to: address)
            sessionWrites[id] = (stamped, bytes)
        }
    }

    // MARK: leaving

    private func announceLeaving() {
        isLeaving = true
        for (address, connection) in gatewayConnections {
            awaitingAcknowledgement.insert(address)
            connection.send(.object(GatewayFrame(.workerLeaving)))
        }
        for connection in connecting.values { connection.destroy() }
        connecting = [:]
    }

    /// Tells the gateways, waits for their acknowledgements (each comes after every event sent to
    /// this worker, which are handled meanwhile), lets the replies drain, then runs `done`.
    private func leave(_ done: @escaping () -> Void) {
        announceLeaving()
        let start = MonotonicClock.now()
        let limit = UInt64(leaveTimeout * 1e9)
        var closing = false
        Timer.add(0.005) { [self] in
            let late = MonotonicClock.now() - start > limit
            if !closing && (awaitingAcknowledgement.isEmpty || late) {
                closing = true
                for connection in gatewayConnections.values { connection.close() }  // after the replies are written
                for connection in registerConnections { connection.close() }
            }
            if closing && (gatewayConnections.isEmpty || late) {
                Timer.delAll()
                done()
            }
        }
    }
}
