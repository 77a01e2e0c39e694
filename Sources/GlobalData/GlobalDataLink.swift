import WorkermanProtocols
import WorkermanCore

/// One non-blocking connection of `AsyncGlobalDataClient` to one server: requests go out as they
/// come (queued while connecting), replies come back in order and complete the oldest pending
/// request. When the connection breaks, every pending request fails and the next request connects
/// again.
final class GlobalDataLink {
    private let address: String
    private var connection: AsyncTcpConnection?
    /// Completions of requests sent and not answered, oldest first.
    private var pending: [(Result<[UInt8], GlobalDataError>) -> Void] = []
    private var pendingHead = 0

    /// A link to `frame://host:port`; connects on the first request.
    init(host: String, port: UInt16) {
        address = FrameAddress.url(host: host, port: Int(port))
    }

    deinit {
        connection?.onClose = nil
        connection?.destroy()
    }

    /// The number of requests waiting for a reply.
    var waitingCount: Int { pending.count - pendingHead }

    /// Sends `payload` and calls `completion` with the reply payload or the failure.
    func send(_ payload: ByteBuffer, _ completion: @escaping (Result<[UInt8], GlobalDataError>) -> Void) {
        let connection: AsyncTcpConnection
        do {
            connection = try connected()
        } catch {
            completion(.failure(GlobalDataError(.connection, "\(error)")))
            return
        }
        pending.append(completion)
        if connection.send(.object(payload)) == .failed, connection === self.connection, waitingCount > 0 {
            pending.removeLast()
            completion(.failure(GlobalDataError(.connection, "\(address): send failed (buffer full or closed)")))
        }
    }

    private func connected() throws(AddressError) -> AsyncTcpConnection {
        if let connection { return connection }
        let made = try AsyncTcpConnection(address)
        made.protocol = Frame.self
        made.onMessage = { [unowned self] _, message in replied(message.bytes) }
        made.onClose = { [unowned self] closed in lost(closed) }
        connection = made
        made.connect()
        return made
    }

    private func replied(_ payload: [UInt8]) {
        guard !payload.isEmpty, pendingHead < pending.count else { return }
        let completion = pending[pendingHead]
        pendingHead += 1
        if pendingHead == pending.count {
            pending.removeAll(keepingCapacity: true)
            pendingHead = 0
        }
        completion(.success(payload))
    }

    private func lost(_ closed: TcpConnection) {
        guard closed === connection else { return }
        connection = nil
        let failed = pending[pendingHead...]
        pending = []
        pendingHead = 0
        let error = GlobalDataError(.connection, "\(address): connection closed before the reply")
        for completion in failed { completion(.failure(error)) }
    }
}
