import WorkermanCore
import WorkermanProtocols
import WorkermanTimer

/// The GlobalData server: Workerman's `GlobalData\Server`, a Worker holding variables that every
/// process and server shares through `GlobalDataClient` / `AsyncGlobalDataClient`.
///
/// ```swift
/// let globalServer = GlobalDataServer("0.0.0.0", 2207)   // new GlobalData\Server('0.0.0.0', 2207);
/// globalServer.dataFile = "/var/lib/app/global.msgpack" // optional: survive restarts
/// Worker.runAll()
/// ```
/// One process, not reloadable, and it runs requests one after another, so each operation is
/// atomic (there are no multi-key transactions). The wire format is described at
/// `GlobalDataRequest`. Without `dataFile` the data lives in memory only, as Workerman's.
public final class GlobalDataServer {
    /// The Worker that listens; change its settings (`name`, `user`) before `Worker.runAll()`.
    public let worker: Worker
    /// The data. Read it in callbacks of this Worker's process (for tests and status pages).
    public private(set) var store = GlobalDataStore()
    /// A file to load the data from when the server starts and to save it to when it stops and
    /// every `snapshotInterval` seconds when it changed; nil (the default) keeps it in memory only.
    /// Saving writes a temporary file and renames it over the old one, so a crash leaves either
    /// the previous snapshot or the new one, never half of one.
    public var dataFile: String?
    /// Seconds between snapshots while the data changes (default 60).
    public var snapshotInterval: Double = 60

    /// A server on `frame://host:port` (port 0: the kernel picks one).
    public convenience init(_ host: String = "0.0.0.0", _ port: Int = 2207) {
        self.init(listen: FrameAddress.url(host: host, port: port))
    }

    /// A server on `address`: `frame://host:port`, or `unix:///path` for a unix socket.
    public init(listen address: String) {
        worker = Worker(address)
        worker.protocol = Frame.self
        worker.name = "GlobalDataServer"
        worker.count = 1
        worker.reloadable = false
        worker.onWorkerStart = { _ in self.started() }
        worker.onWorkerStop = { _ in self.saveSnapshot() }
        worker.onMessage = { connection, message in
            self.handle(message.bytes, from: connection)
        }
    }

    private func started() {
        loadSnapshot()
        guard dataFile != nil else { return }
        Timer.add(snapshotInterval) { [self] in if store.isDirty { saveSnapshot() } }
    }

    private func handle(_ payload: [UInt8], from connection: TcpConnection) {
        guard !payload.isEmpty else { return }  // a ping
        let parsed = payload.withUnsafeBytes { raw in
            Result { () throws(MessagePackError) in try GlobalDataRequest(payload: ByteView(raw)) }
        }
        var reply = ByteBuffer(capacity: 32)
        switch parsed {
        case .success(let request):
            do {
                let result = try store.apply(request)
                MessagePackWriter.writeArrayHeader(count: result == nil ? 1 : 2, into: &reply)
                MessagePackWriter.writeInteger(0, into: &reply)
                if let result { MessagePackWriter.write(result, into: &reply) }
            } catch {
                MessagePackWriter.write([.int(error.kind.replyCode), .string(error.description)], into: &reply)
            }
            connection.send(.object(reply))
        case .failure(let error):
            Log.write("GlobalDataServer: bad request from \(connection.getRemoteAddress()): \(error); closing it")
            MessagePackWriter.write([1, .string("bad request: \(error)")], into: &reply)
            connection.close(.object(reply))
        }
    }

    // MARK: persistence

    /// Replaces the data with the data file's, if there is one. A file that cannot be read is
    /// moved aside (`<file>.unreadable`) and logged, and the server starts empty.
    private func loadSnapshot() {
        guard let dataFile, let bytes = SnapshotFile.read(dataFile) else { return }
        guard let snapshot = try? Value(messagePack: bytes), let values = snapshot.object else {
            Log.write(
                "GlobalDataServer: \(dataFile) is not a snapshot; moved to \(dataFile).unreadable, starting empty")
            SnapshotFile.moveAside(dataFile, to: dataFile + ".unreadable")
            return
        }
        store = GlobalDataStore(values)
    }

    /// Writes the data to the data file (atomically), if one is set.
    public func saveSnapshot() {
        guard let dataFile else { return }
        if let problem = SnapshotFile.write(Value.object(store.values).messagePack, to: dataFile) {
            Log.write("GlobalDataServer: cannot save \(dataFile): \(problem)")
        } else {
            store.isDirty = false
        }
    }
}
