import WorkermanCore
import WorkermanProtocols
import WorkermanTimer

/// One non-blocking connection of `AsyncGlobalDataClient` to one server: requests go out as they
/// come (queued while connecting), replies come back in order and complete the oldest pending
/// request. When the connection breaks, every pending request fails and the next request connects
/// again. A request unanswered for `timeout` seconds (a frozen server) fails with `.timeout`,
/// closes the connection and fails the requests behind it.
final class GlobalDataLink {
    private struct Pending {
        let deadline: UInt64
        let completion: (Result<[UInt8], GlobalDataError>) -> Void
    }

    private let address: String
    private let timeout: Double
    private var connection: AsyncTcpConnection?
    /// Requests sent and not answered, oldest first, from `pendingHead` on.
    private var pending: [Pending] = []
    private var pendingHead = 0
    private var ticker: TimerID?
    private var closeReason: GlobalDataError?

    /// A link to `frame://host:port`; connects on the first request.
    init(host: String, port: UInt16, timeout: Double) {
        address = FrameAddress.url(host: host, port: Int(port))
        self.timeout = timeout
    }

    deinit {
        if let ticker { Timer.del(ticker) }
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
        let deadline = MonotonicClock.now() + MonotonicClock.nanoseconds(fromSeconds: timeout)
        pending.append(Pending(deadline: deadline, completion: completion))
        if ticker == nil {
            ticker = Timer.add(max(0.01, min(0.1, timeout / 10))) { [weak self] in self?.tick() }
        }
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
        closeReason = nil
        made.connect()
        return made
    }

    private func replied(_ payload: [UInt8]) {
        guard !payload.isEmpty, pendingHead < pending.count else { return }
        let completion = pending[pendingHead].completion
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
        let error = closeReason ?? GlobalDataError(.connection, "\(address): connection closed before the reply")
        for item in failed { item.completion(.failure(error)) }
    }

    private func tick() {
        guard pendingHead < pending.count else {
            if let ticker { Timer.del(ticker) }
            ticker = nil
            return
        }
        guard pending[pendingHead].deadline <= MonotonicClock.now(), let connection else { return }
        closeReason = GlobalDataError(.timeout, "\(address): no reply within \(timeout) s")
        connection.destroy()
    }
}
