import Glibc

/// What the master tells a worker process it starts: which Worker and id it is, which inherited
/// descriptors are listening sockets, where to report. Passed in the environment (as systemd's
/// LISTEN_FDS), because a worker process is a fresh run of the program's executable.
struct WorkerIdentity {
    static let workerVariable = "WORKERMAN_WORKER"
    static let listenVariable = "WORKERMAN_LISTEN_FDS"
    static let notifyVariable = "WORKERMAN_NOTIFY_FD"
    static let masterVariable = "WORKERMAN_MASTER_PID"
    static let daemonVariable = "WORKERMAN_DAEMON"
    static let portVariable = "WORKERMAN_REUSE_PORTS"
    static let acceptTableVariable = "WORKERMAN_ACCEPT_TABLES"
    static let acceptKickVariable = "WORKERMAN_ACCEPT_KICKS"

    /// The index of the Worker in `Worker.all`.
    let workerIndex: Int
    /// The process's id among the Worker's processes.
    let id: Int
    /// Listening sockets the master opened, by Worker index.
    let listenFDs: [Int: Int32]
    /// Where to write "ready" once `onWorkerStart` has run.
    let notifyFD: Int32
    let masterPID: pid_t
    let daemon: Bool
    /// For `reusePort` Workers asked to listen on port 0: the ports the master found free, by Worker
    /// index. Every process of such a Worker binds its port; the other processes learn it.
    var reusePorts: [Int: UInt16] = [:]
    /// For Workers whose processes share one listening socket: the descriptors of their
    /// `AcceptBalance` (the shared table and the kick counter), by Worker index.
    var acceptTables: [Int: Int32] = [:]
    var acceptKicks: [Int: Int32] = [:]

    /// The identity in the environment, or nil when this process is not a worker process.
    static func fromEnvironment() -> WorkerIdentity? {
        guard let text = environment(workerVariable) else { return nil }
        let parts = text.split(separator: ":").compactMap { Int($0) }
        guard parts.count == 2 else { return nil }
        let listenFDs: [Int: Int32] = pairs(environment(listenVariable))
        return WorkerIdentity(
            workerIndex: parts[0], id: parts[1], listenFDs: listenFDs,
            notifyFD: Int32(environment(notifyVariable) ?? "") ?? -1,
            masterPID: pid_t(environment(masterVariable) ?? "") ?? 0,
            daemon: environment(daemonVariable) == "1", reusePorts: pairs(environment(portVariable)),
            acceptTables: pairs(environment(acceptTableVariable)), acceptKicks: pairs(environment(acceptKickVariable)))
    }

    /// The variables that make a started process this worker.
    func environmentEntries() -> [String] {
        [
            "\(Self.workerVariable)=\(workerIndex):\(id)",
            "\(Self.listenVariable)=" + Self.list(listenFDs),
            "\(Self.notifyVariable)=\(notifyFD)",
            "\(Self.masterVariable)=\(masterPID)",
            "\(Self.daemonVariable)=\(daemon ? 1 : 0)",
            "\(Self.portVariable)=" + Self.list(reusePorts),
            "\(Self.acceptTableVariable)=" + Self.list(acceptTables),
            "\(Self.acceptKickVariable)=" + Self.list(acceptKicks),
        ]
    }

    /// [0: 3, 2: 5] as "0=3,2=5".
    private static func list<Value>(_ pairs: [Int: Value]) -> String {
        pairs.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
    }

    /// "0=3,2=5" as [0: 3, 2: 5].
    private static func pairs<Value: FixedWidthInteger>(_ text: String?) -> [Int: Value] {
        var result: [Int: Value] = [:]
        for pair in (text ?? "").split(separator: ",") {
            let sides = pair.split(separator: "=")
            if sides.count == 2, let key = Int(sides[0]), let value = Value(sides[1]) { result[key] = value }
        }
        return result
    }

    /// Removes the variables, so that programs the worker starts are not taken for workers.
    static func clearEnvironment() {
        for name in [
            workerVariable, listenVariable, notifyVariable, masterVariable, daemonVariable, portVariable,
            acceptTableVariable, acceptKickVariable,
        ] {
            unsetenv(name)
        }
    }
}
