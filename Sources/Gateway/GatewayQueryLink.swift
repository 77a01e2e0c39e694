import WorkermanCore

/// An event-loop connection to one gateway for Gateway API calls: frames go out, and the replies
/// to queries come back in the order the queries went (GatewayReplyProtocol).
final class GatewayQueryLink {
    let address: String
    let connection: AsyncTcpConnection
    private var pending: [(Result<PHPValue, GatewayError>) -> Void] = []

    init(address: String, secretKey: String, onGone: @escaping (GatewayQueryLink) -> Void) throws(GatewayError) {
        self.address = address
        do {
            connection = try AsyncTcpConnection("tcp://\(address)")
        } catch {
            throw GatewayError("gateway \(address): \(error)")
        }
        connection.protocol = GatewayReplyProtocol.self
        connection.maxSendBufferSize = 10_240_000
        if !secretKey.isEmpty {
            let body = PHPJSON.encode(["secret_key": .string(secretKey)])
            connection.send(.object(GatewayFrame(.gatewayClientConnect, body: .string(body))))
        }
        connection.onMessage = { [unowned self] _, message in
            guard !pending.isEmpty else { return }
            let handler = pending.removeFirst()
            do {
                handler(.success(try PHPSerialization.unserialize(message.bytes)))
            } catch {
                handler(.failure(GatewayError("gateway \(address) sent a bad reply: \(error)")))
            }
        }
        connection.onClose = { [unowned self] _ in
            let waiting = pending
            pending = []
            for handler in waiting { handler(.failure(GatewayError("gateway \(address) closed the connection"))) }
            onGone(self)
        }
        connection.connect()
    }

    /// Sends a frame that gets no reply.
    func send(_ frame: GatewayFrame) -> Bool { connection.send(.object(frame)) != .failed }

    /// Sends a query; `handler` gets its reply.
    func ask(_ frame: GatewayFrame, _ handler: @escaping (Result<PHPValue, GatewayError>) -> Void) {
        pending.append(handler)
        if connection.send(.object(frame)) == .failed {
            connection.destroy()
        }
    }
}
