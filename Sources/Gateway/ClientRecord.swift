import WorkermanCore

/// What a gateway keeps for one client connection: GatewayWorker's properties on the connection
/// (header, session, uid, groups, the worker it is routed to) and the events held for it while
/// that worker is leaving or no worker is connected.
final class ClientRecord {
    let connection: TcpConnection
    /// The header fields every frame about this client carries.
    let header: GatewayFrame
    /// The session in `serialize` form ("" for none).
    var session: [UInt8] = []
    var uid: String?
    /// The groups, in joining order.
    var groups: [String] = []
    /// The key of the business worker it is routed to (sticky router).
    var workerKey: String?
    /// Events not yet sent to a worker, oldest first; while any are held, newer ones queue behind them.
    var held: [GatewayFrame] = []
    /// When the first held event was queued.
    var heldSince: UInt64 = 0
    var isClosed = false
    var pingNotResponseCount = -1

    init(connection: TcpConnection, header: GatewayFrame) {
        self.connection = connection
        self.header = header
    }

    var connectionID: UInt32 { header.connectionID }
    var clientID: ClientID { header.clientID }
}
