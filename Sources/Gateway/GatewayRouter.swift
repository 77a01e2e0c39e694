/// How a gateway picks the business worker for a client's events (GatewayWorker 4's `router`).
public enum GatewayRouter {
    /// `routerBind` with least connections, the default: a client stays on one business worker;
    /// a new client (or one whose worker left) goes to the worker with the fewest clients. Each
    /// client's events are handled in the order they happened, also across a reload.
    case sticky
    /// `routerRand`: each event to a random business worker.
    case random
    /// Your router: given the connected business workers' keys ("ip:name:id", never empty) and the
    /// client, return the key to use (nil: hold the event until a worker is available).
    case custom((_ workerKeys: [String], _ client: ClientID, _ command: GatewayCommand) -> String?)
}

/// What a gateway tells `onBusinessWorkerConnected` / `onBusinessWorkerClose` about a worker.
public struct BusinessWorkerInfo: Sendable {
    /// "ip:name:id": the worker's address and its `worker_key`.
    public let key: String
    /// The worker's remote address.
    public let remoteAddress: String
}
