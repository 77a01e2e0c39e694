import WorkermanCore
import WorkermanProtocols
import WorkermanTimer

/// A kept connection to a register, as gateways and business workers hold one: it sends `hello`
/// each time it connects, pings every 25 s when the register is not on 127.0.0.1 (as GatewayWorker
/// does), hands each line to `onLine`, and reconnects a second after a close while `keep()` is true.
enum RegisterLink {
    static func open(
        _ address: String, hello: RegisterMessage, keep: @escaping () -> Bool, onLine: ((String) -> Void)? = nil
    ) -> AsyncTcpConnection? {
        let connection: AsyncTcpConnection
        do {
            connection = try AsyncTcpConnection("tcp://\(address)")
        } catch {
            Log.write("bad registerAddress \(address): \(error)")
            return nil
        }
        connection.protocol = Text.self
        let remote = !address.hasPrefix("127.0.0.1")
        var pingTimer: TimerID?
        connection.onConnect = { connection in
            connection.send(.text(hello.encoded))
            if remote {
                pingTimer = Timer.add(25) { [weak connection] in connection?.send(.text(RegisterMessage.ping.encoded)) }
            }
        }
        if let onLine { connection.onMessage = { _, message in onLine(message.string) } }
        connection.onClose = { connection in
            if let timer = pingTimer { Timer.del(timer) }
            pingTimer = nil
            if keep() { connection.reconnect(after: 1) }
        }
        connection.connect()
        return connection
    }
}
