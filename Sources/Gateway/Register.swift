import WorkermanCore
import WorkermanProtocols
import WorkermanTimer

/// GatewayWorker's Register: the directory through which gateways and business workers find each
/// other (`new Register('text://0.0.0.0:1236')`).
///
/// ```swift
/// let register = Register("text://0.0.0.0:1236")
/// register.secretKey = "s3cret"
/// Worker.runAll()
/// ```
/// Gateways announce their internal address; business workers (and Gateway API clients) ask for the
/// list and are sent it again whenever it changes. It speaks JSON lines (`RegisterMessage`) over
/// `text`, runs one process and is not reloadable. A connection that has not authenticated within
/// `authTimeout` seconds, or sends a bad line or a wrong key, is closed with a logged reason. It keeps
/// nothing on disk: when it restarts, gateways and workers reconnect and announce themselves again.
public final class Register {
    /// The Worker that listens; change `name` or `user` before `Worker.runAll()`.
    public let worker: Worker
    /// The key gateways and workers must send (GatewayWorker's `secretKey`); empty for none.
    public var secretKey = ""
    /// Seconds a connection may stay without a valid first line.
    public var authTimeout = 10.0
    /// Gateway connections (by connection id) and the address each announced, in arrival order.
    private var gateways: [(connection: Int, address: String)] = []
    private var workers: [Int: TcpConnection] = [:]
    private var authTimers: [Int: TimerID] = [:]

    /// A Register on `address` (`text://host:port`; any scheme is read as text, as GatewayWorker forces).
    public init(_ address: String = "text://127.0.0.1:1236") {
        worker = Worker(address)
        worker.protocol = Text.self
        worker.name = "Register"
        worker.count = 1
        worker.reloadable = false
        worker.onConnect = { [self] connection in
            let id = connection.id
            authTimers[id] = Timer.add(authTimeout, persistent: false) { [self, weak connection] in
                authTimers[id] = nil
                guard let connection else { return }
                Log.write(
                    "Register: \(connection.getRemoteAddress()) did not authenticate within \(authTimeout) s; closing it"
                )
                connection.close()
            }
        }
        worker.onMessage = { [self] connection, message in
            handle(message.string, from: connection)
        }
        worker.onClose = { [self] connection in forget(connection) }
    }

    /// The gateway addresses currently announced, without repeats, in arrival order.
    public var gatewayAddresses: [String] {
        var seen = Set<String>()
        return gateways.map(\.address).filter { seen.insert($0).inserted }
    }

    private func handle(_ line: String, from connection: TcpConnection) {
        if let timer = authTimers.removeValue(forKey: connection.id) { Timer.del(timer) }
        let message: RegisterMessage
        do {
            message = try RegisterMessage(decoding: line)
        } catch {
            Log.write("Register: bad request from \(connection.getRemoteAddress()): \(error); closing it")
            connection.close()
            return
        }
        switch message {
        case .gatewayConnect(let address, let key):
            guard key == secretKey else { return refuse(connection) }
            let before = gatewayAddresses
            gateways.removeAll { $0.connection == connection.id }
            gateways.append((connection.id, address))
            if gatewayAddresses != before { broadcast() }
        case .workerConnect(let key):
            guard key == secretKey else { return refuse(connection) }
            workers[connection.id] = connection
            connection.send(.text(RegisterMessage.broadcastAddresses(gatewayAddresses).encoded))
        case .ping:
            break
        case .broadcastAddresses:
            Log.write(
                "Register: \(connection.getRemoteAddress()) sent broadcast_addresses, which only a register sends; closing it"
            )
            connection.close()
        }
    }

    private func refuse(_ connection: TcpConnection) {
        Log.write("Register: wrong secret key from \(connection.getRemoteAddress()); closing it")
        connection.close()
    }

    private func broadcast() {
        let line = Message.text(RegisterMessage.broadcastAddresses(gatewayAddresses).encoded)
        for connection in workers.values { connection.send(line) }
    }

    private func forget(_ connection: TcpConnection) {
        if let timer = authTimers.removeValue(forKey: connection.id) { Timer.del(timer) }
        workers[connection.id] = nil
        let before = gatewayAddresses
        gateways.removeAll { $0.connection == connection.id }
        if gatewayAddresses != before { broadcast() }
    }
}
