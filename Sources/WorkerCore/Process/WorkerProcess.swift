import CWorkermanEpoll
import Glibc
import WorkermanTimer

/// What runs inside a worker process: one Worker's listener and callbacks on the process's event
/// loop, its answers to `status` and `connections`, reloads, and the ways it stops:
/// - fast (SIGINT, SIGHUP, `Worker.stopAll()`): `onWorkerStop`, every connection closed after its
///   queue is written, exit (the master kills it after `stopTimeout` if it hangs);
/// - leaving (SIGTERM, SIGQUIT for `stop -g`, SIGUSR1 and SIGUSR2 for `reload` and `reload -g`, after
///   `onWorkerReload`): `onWorkerStop`, no new connections, each open one ended by its protocol at a
///   clean point, exit when the last one closes or `stopTimeout` has passed (see `WorkerDrain`).
enum WorkerProcess {
    /// The Workers this process runs.
    nonisolated(unsafe) static var workers: [Worker] = []  // one thread per process
    nonisolated(unsafe) private static var isStopping = false  // one thread per process
    nonisolated(unsafe) private static var isStoppingFast = false  // one thread per process
    nonisolated(unsafe) private static var identity: WorkerIdentity?  // one thread per process

    /// Becomes the worker process `identity` describes: the program ran `main` again, made its
    /// Workers in the same order, and called `runAll()`, which lands here.
    static func runAsWorker(_ identity: WorkerIdentity) -> Never {
        WorkerIdentity.clearEnvironment()
        self.identity = identity
        _ = cepoll_set_parent_death_signal(SIGINT)
        if identity.masterPID != 0 && getppid() != identity.masterPID { exit(0) }  // the master is gone
        guard identity.workerIndex < Worker.all.count else {
            Log.write(
                "worker process: no Worker #\(identity.workerIndex); main() must make its Workers in the same order every run"
            )
            exit(250)
        }
        let worker = Worker.all[identity.workerIndex]
        worker.id = identity.id
        ProcessSlot.current = (identity.workerIndex, identity.id)
        for (index, port) in identity.reusePorts where index < Worker.all.count { Worker.all[index].listenPort = port }
        Log.file = RuntimeFiles.current().log
        for (index, fd) in identity.listenFDs where index != identity.workerIndex {
            // Remember the sibling's port (a Channel server on port 0, say), then let go of its socket.
            if index < Worker.all.count { Worker.all[index].listenPort = Sys.localAddress(fd)?.port }
            Sys.close(fd)
        }
        if identity.notifyFD >= 0 { try? Sys.setInheritable(identity.notifyFD, false) }
        Sys.ignoreSIGPIPE()
        Sys.raiseOpenFileLimit()
        MemoryPolicy.returnLargeBlocksWhenFreed()
        Timer.delAll()  // timers added by code before runAll() belong to no callback
        AcceptBalance.closeSiblings(of: identity)
        if let fd = identity.listenFDs[identity.workerIndex] {
            try? Sys.setInheritable(fd, false)
            worker.adoptListeningSocket(fd)
            worker.shareAccepting(identity)
        } else if worker.address != nil {
            do {
                try worker.listen()
            } catch {
                Log.write("worker[\(worker.name)]: \(error)")
                exit(250)
            }
        }
        Privileges.drop(to: worker.user, group: worker.group, workerName: worker.name)
        ProcessTitle.set("WorkerMan: worker process  \(worker.name) \(worker.listenDescription)")
        run([worker])
    }

    /// Starts `workers` in this process (their listeners must be open) and runs the loop until a
    /// stop; then exits.
    static func run(_ workers: [Worker]) -> Never {
        self.workers = workers
        let loop = EventLoop.current
        loop.onSignal(SIGINT) { _ in stop(graceful: false) }
        loop.onSignal(SIGTERM) { _ in stop(graceful: true) }  // Docker's and systemd's stop: drain
        loop.onSignal(SIGHUP) { _ in stop(graceful: false) }
        loop.onSignal(SIGQUIT) { _ in stop(graceful: true) }
        loop.onSignal(SIGUSR1) { _ in reload() }
        loop.onSignal(SIGUSR2) { _ in reload() }
        loop.onSignal(SIGABRT) { _ in reportStatus() }
        loop.onSignal(SIGIO) { _ in reportConnections() }
        if ProcessSlot.current != nil {
            for hook in ProcessSlot.startHooks { hook(workers) }
        }
        for worker in workers {
            worker.listener?.resumeAccept()
            do {
                try worker.onWorkerStart?(worker)
            } catch {
                Log.write("worker[\(worker.name)] onWorkerStart failed: \(error)")
                exit(250)
            }
        }
        notifyReady()
        loop.run()
        exit(0)
    }

    private static func notifyReady() {
        guard let fd = identity?.notifyFD, fd >= 0 else { return }
        var line = "ready \(getpid())\n"
        line.withUTF8 { _ = write(fd, $0.baseAddress, $0.count) }
        close(fd)
    }

    /// Stops this process: `onWorkerStop` for each Worker, then either every connection closed
    /// (fast) or the Workers leaving, draining their connections for at most `stopTimeout` (graceful).
    static func stop(graceful: Bool) {
        guard !isStopping else {
            if !graceful && !isStoppingFast {  // a fast stop overrides a graceful one
                isStoppingFast = true
                closeAllConnections()
                exitWhenIdle(forceAfter: Worker.stopTimeout)
            }
            return
        }
        isStopping = true
        isStoppingFast = !graceful
        for worker in workers { worker.onWorkerStop?(worker) }
        if graceful {
            WorkerDrain.start(workers, deadline: Worker.stopTimeout)
        } else {
            for worker in workers { worker.unlisten() }
            closeAllConnections()
            exitWhenIdle(forceAfter: Worker.stopTimeout)
        }
    }

    private static func reload() {
        for worker in workers { worker.onWorkerReload?(worker) }
        guard workers.contains(where: \.reloadable) else { return }
        stop(graceful: true)
    }

    private static func closeAllConnections() {
        for worker in workers {
            for connection in Array(worker.connections.values) { connection.close() }
        }
    }

    /// Ends the loop once no connection is left, or after `forceAfter` seconds regardless.
    private static func exitWhenIdle(forceAfter: Double) {
        let idle = { workers.allSatisfy { $0.connections.isEmpty } }
        if idle() {
            EventLoop.current.stop()
            return
        }
        let start = MonotonicClock.now()
        Timer.add(0.01) {
            if idle() || Double(MonotonicClock.now() - start) / 1e9 >= forceAfter { EventLoop.current.stop() }
        }
    }

    // MARK: status and connections

    /// Appends this process's line to the status file (the master wrote the header).
    private static func reportStatus() {
        let files = RuntimeFiles.current()
        let memory = MemoryUsage.current()
        for worker in workers {
            let fields = [
                "report", "\(getpid())", "\(memory.privateBytes)", "\(ConnectionStatistics.connectionCount)",
                "\(ConnectionStatistics.sendFail)", "\(Timer.count)", "\(ConnectionStatistics.totalRequest)",
                worker.listenDescription, worker.name, "\(memory.sharedBytes)",
            ]
            writeFile(files.status, fields.joined(separator: "\t") + "\n", append: true, mode: 0o666)
        }
    }

    /// Appends one row per connection of this process to the connections file, then a done line.
    private static func reportConnections() {
        let files = RuntimeFiles.current()
        var lines: [String] = []
        for worker in workers {
            for connection in worker.connections.values.sorted(by: { $0.id < $1.id }) {
                let protocolName = connection.protocol.map { String(describing: $0) } ?? "NULL"
                let fields = [
                    "connection", "\(getpid())", worker.name, "\(connection.id)", connection.transport, protocolName,
                    connection.isIpV4() ? "1" : "0", connection.isIpV6() ? "1" : "0", "\(connection.receiveBufferSize)",
                    "\(connection.sendBufferSize)", "\(connection.bytesRead)", "\(connection.bytesWritten)",
                    "\(connection.state)".uppercased(), connection.getLocalAddress(), connection.getRemoteAddress(),
                ]
                lines.append(fields.joined(separator: "\t"))
            }
        }
        lines.append("done\t\(getpid())")
        writeFile(files.connections, lines.joined(separator: "\n") + "\n", append: true, mode: 0o666)
    }
}
