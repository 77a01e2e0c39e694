import CWorkermanEpoll
import Glibc
import WorkermanTimer

/// The master process: opens the listeners, starts `count` worker processes per Worker, replaces
/// any that die (keeping their id), rolls reloads one process at a time, answers `status` and
/// `connections`, and stops the workers fast or gracefully.
///
/// It runs the same event loop as a worker, for its signals (through a signalfd), its timers and
/// the pipe its workers report readiness on; it never accepts a connection.
final class Master {
    private enum Phase { case running, reloading, stopping }

    private struct Slot: Hashable {
        let workerIndex: Int
        let id: Int
    }

    private struct Child {
        let slot: Slot
        let startedAt: UInt64
        var ready = false
        /// Replaced by a newer process (a reload): its exit is expected and starts no other.
        var retired = false
    }

    private let workers: [Worker]
    private let files: RuntimeFiles
    private let arguments: [String]
    private let daemon: Bool
    private let startTime = time(nil)
    private let loop = EventLoop.current
    private var listenFDs: [Int: Int32] = [:]
    private var reusePorts: [Int: UInt16] = [:]
    private var acceptTables: [Int: Int32] = [:]
    private var acceptKicks: [Int: Int32] = [:]
    private var notifyRead: Int32 = -1
    private var notifyWrite: Int32 = -1
    private var children: [pid_t: Child] = [:]
    private var exitCounts: [Int: [Int32: Int]] = [:]
    private var phase = Phase.running
    private var reloadQueue: [pid_t] = []
    private var reloadGraceful = false
    private var reloadStartedAt: UInt64 = 0
    /// The replacement process the reload waits for before it moves on.
    private var awaitingReplacement: pid_t?
    private var reloadFallback: TimerID?
    private var stoppingGracefully = false
    private var readyWatcher: ReadyPipe?
    /// Per slot: how long to wait before starting it again after processes that failed to start.
    private var restartBackoff: [Slot: RestartBackoff] = [:]

    init(workers: [Worker], files: RuntimeFiles, arguments: [String], daemon: Bool) {
        self.workers = workers
        self.files = files
        self.arguments = arguments
        self.daemon = daemon
    }

    /// Opens the listeners in this process, so that a busy port or a bad address fails here, in one
    /// line, before any worker starts. Workers with `reusePort` bind their own sockets; for them the
    /// address is only tried here.
    func openListeners() throws(WorkerError) {
        for (index, worker) in workers.enumerated() where worker.address != nil || worker.addressError != nil {
            if let error = worker.addressError { throw WorkerError(error.description) }
            try worker.prepareSecurity()
            let (fd, _) = try ListenSocket.open(for: worker)
            if worker.reusePort {
                reusePorts[index] = Sys.localAddress(fd)?.port
                worker.listenPort = reusePorts[index]
                Sys.close(fd)
                continue
            }
            do {
                try Sys.setInheritable(fd, true)  // the workers find it by number after exec
            } catch {
                throw WorkerError("\(worker.name): cannot pass the listening socket to the workers: \(error)")
            }
            worker.adoptListeningSocket(fd)
            worker.listenPort = Sys.localAddress(fd)?.port
            worker.ownsSocketFile = worker.address?.path != nil
            listenFDs[index] = fd
            if worker.count > 1 && worker.transport != "udp" {
                do {
                    (acceptTables[index], acceptKicks[index]) = try AcceptBalance.makeDescriptors(
                        processes: worker.count)
                } catch {
                    throw WorkerError("\(worker.name): cannot share the accept load: \(error)")
                }
            }
        }
    }

    /// Starts the workers and supervises them until a stop; never returns.
    func run() -> Never {
        ProcessTitle.set("WorkerMan: master process  start_file=\(files.startFile)")
        writeFile(files.pid, "\(getpid())\n")
        Timer.delAll()
        loop.onSignal(SIGINT) { [self] _ in stop(graceful: false) }
        loop.onSignal(SIGTERM) { [self] _ in stop(graceful: true) }  // Docker's and systemd's stop: drain
        loop.onSignal(SIGHUP) { [self] _ in stop(graceful: false) }
        loop.onSignal(SIGTSTP) { [self] _ in stop(graceful: false) }
        loop.onSignal(SIGQUIT) { [self] _ in stop(graceful: true) }
        loop.onSignal(SIGUSR1) { [self] _ in reload(graceful: false) }
        loop.onSignal(SIGUSR2) { [self] _ in reload(graceful: true) }
        loop.onSignal(SIGABRT) { [self] _ in requestStatus() }
        loop.onSignal(SIGIO) { [self] _ in requestConnections() }
        loop.onSignal(SIGCHLD) { [self] _ in reapChildren() }
        Log.write("Workerman[\(files.startFile)] start in \(daemon ? "DAEMON" : "DEBUG") mode")
        for (index, worker) in workers.enumerated() {
            for id in 0..<max(1, worker.count) { spawn(Slot(workerIndex: index, id: id)) }
        }
        loop.run()
        exit(0)
    }

    // MARK: worker processes

    @discardableResult
    private func spawn(_ slot: Slot) -> pid_t? {
        let identity = WorkerIdentity(
            workerIndex: slot.workerIndex, id: slot.id, listenFDs: listenFDs, notifyFD: notifyWrite,
            masterPID: getpid(), daemon: daemon, reusePorts: reusePorts, acceptTables: acceptTables,
            acceptKicks: acceptKicks)
        do {
            let pid = try WorkerSpawner.spawn(identity, arguments: arguments)
            children[pid] = Child(slot: slot, startedAt: MonotonicClock.now())
            return pid
        } catch {
            let delay = restartBackoff[slot, default: RestartBackoff()].failed()
            Log.write(
                "cannot start a process for worker[\(workers[slot.workerIndex].name)]: \(error); retrying in \(seconds(delay))"
            )
            respawn(slot, after: delay)
            return nil
        }
    }

    /// Starts a process for `slot` again after `delay` seconds, unless the master is stopping by then.
    private func respawn(_ slot: Slot, after delay: Double) {
        Timer.add(delay, persistent: false) { [self] in if phase != .stopping { spawn(slot) } }
    }

    /// "1 s", "2 s", "0.5 s".
    private func seconds(_ value: Double) -> String {
        value == value.rounded() ? "\(Int(value)) s" : "\(value) s"
    }

    private func reapChildren() {
        while true {
            var status: Int32 = 0
            let pid = waitpid(-1, &status, WNOHANG)
            guard pid > 0 else { return }
            childExited(pid, ExitStatus(raw: status))
        }
    }

    private func childExited(_ pid: pid_t, _ status: ExitStatus) {
        guard let child = children.removeValue(forKey: pid) else { return }
        let worker = workers[child.slot.workerIndex]
        exitCounts[child.slot.workerIndex, default: [:]][status.raw, default: 0] += 1
        if phase == .stopping {
            if children.isEmpty { finishStop() }
            return
        }
        if !status.isSuccess || !child.retired {
            Log.write("worker[\(worker.name):\(pid)] exit with status \(status.raw) (\(status))")
        }
        if child.retired { return }
        if child.ready {
            spawn(child.slot)
        } else {
            let delay = restartBackoff[child.slot, default: RestartBackoff()].failed()
            let failures = restartBackoff[child.slot]!.failures
            let times = failures > 1 ? ", \(failures) times in a row" : ""
            Log.write(
                "worker[\(worker.name)] id \(child.slot.id) exited before it was ready (\(status)\(times)); "
                    + "restarting it in \(seconds(delay))"
            )
            respawn(child.slot, after: delay)
            if awaitingReplacement == pid { replacementReady() }
        }
    }

    private func childReady(_ pid: pid_t) {
        guard children[pid] != nil else { return }
        children[pid]!.ready = true
        restartBackoff[children[pid]!.slot]?.succeeded()
        if awaitingReplacement == pid { replacementReady() }
    }

    /// Opens the pipe the workers report readiness on and watches it. Reloads wait for each
    /// replacement's report, so a master that could not watch the pipe would wait `stopTimeout`
    /// + 10 s at every step: it refuses to start instead, in one line.
    func openReadyPipe() throws(WorkerError) {
        var fds: [Int32] = [-1, -1]
        guard pipe2(&fds, O_CLOEXEC | O_NONBLOCK) == 0 else {
            throw WorkerError("cannot open the workers' ready pipe: \(String(cString: strerror(errno)))")
        }
        notifyRead = fds[0]
        notifyWrite = fds[1]
        let watcher = ReadyPipe(fd: notifyRead) { [unowned self] pid in childReady(pid) }
        readyWatcher = watcher
        do {
            try Sys.setInheritable(notifyWrite, true)
            try loop.register(notifyRead, watcher, interest: .read)
        } catch {
            throw WorkerError("cannot watch the workers' ready pipe: \(error)")
        }
    }

    // MARK: stop

    private func stop(graceful: Bool) {
        if phase == .stopping {
            guard stoppingGracefully && !graceful else { return }
            // A fast stop overrides a graceful one in progress.
            stoppingGracefully = false
            Log.write("Workerman[\(files.startFile)] stopping now")
            for pid in children.keys { kill(pid, SIGINT) }
            killStragglers(after: Worker.stopTimeout)
            return
        }
        phase = .stopping
        stoppingGracefully = graceful
        Log.write("Workerman[\(files.startFile)] \(graceful ? "stopping gracefully" : "stopping") ...")
        let signal = graceful ? SIGQUIT : SIGINT
        for pid in children.keys { kill(pid, signal) }
        killStragglers(after: graceful ? Worker.stopTimeout + leavingMargin : Worker.stopTimeout)
        if children.isEmpty { finishStop() }
    }

    /// A leaving worker drains for `stopTimeout`, then flushes what it closed; the master kills it
    /// only this much later.
    private let leavingMargin = 1.5

    private func killStragglers(after seconds: Double, only pid: pid_t? = nil) {
        Timer.add(seconds, persistent: false) { [self] in
            for straggler in children.keys where pid == nil || straggler == pid {
                Log.write("worker process \(straggler) did not stop within \(seconds) s: killing it")
                kill(straggler, SIGKILL)
            }
        }
    }

    private func finishStop() {
        for worker in workers {
            worker.unlisten()
        }
        unlink(files.pid)
        Log.write("Workerman[\(files.startFile)] has been stopped")
        exit(0)
    }

    // MARK: reload

    private func reload(graceful: Bool) {
        guard phase == .running else { return }
        phase = .reloading
        reloadGraceful = graceful
        reloadStartedAt = MonotonicClock.now()
        Log.write("Workerman[\(files.startFile)] reloading\(graceful ? " gracefully" : "")")
        let signal = graceful ? SIGUSR2 : SIGUSR1
        let ordered = children.sorted {
            ($0.value.slot.workerIndex, $0.value.slot.id) < ($1.value.slot.workerIndex, $1.value.slot.id)
        }
        reloadQueue = []
        for (pid, child) in ordered {
            if workers[child.slot.workerIndex].reloadable {
                reloadQueue.append(pid)
            } else {
                kill(pid, signal)  // runs onWorkerReload and stays
            }
        }
        reloadNext()
    }

    /// Retires the next process of the reload: it is told to finish (running `onWorkerReload`), and
    /// its replacement, running the executable as it is on disk now, starts at once, so the
    /// Worker never stops accepting. The next one follows when the replacement is serving.
    private func reloadNext() {
        while !reloadQueue.isEmpty {
            let pid = reloadQueue.removeFirst()
            guard let child = children[pid], !child.retired else { continue }
            children[pid]!.retired = true
            kill(pid, reloadGraceful ? SIGUSR2 : SIGUSR1)
            killStragglers(after: Worker.stopTimeout + leavingMargin, only: pid)
            awaitingReplacement = spawn(child.slot)
            // Never stall the reload on one process: move on after a generous wait.
            reloadFallback = Timer.add(Worker.stopTimeout + 10, persistent: false) { [self] in
                reloadFallback = nil
                replacementReady()
            }
            if awaitingReplacement == nil { replacementReady() }
            return
        }
        phase = .running
        let milliseconds = (MonotonicClock.now() - reloadStartedAt) / 1_000_000
        Log.write("Workerman[\(files.startFile)] reload finished in \(milliseconds) ms")
    }

    private func replacementReady() {
        awaitingReplacement = nil
        if let reloadFallback { Timer.del(reloadFallback) }
        reloadFallback = nil
        if phase == .reloading { reloadNext() }
    }

    // MARK: status and connections

    private func requestStatus() {
        var lines = ["master\t\(getpid())\t\(startTime)\t\(daemon ? 1 : 0)"]
        for (index, worker) in workers.enumerated() {
            lines.append("worker\t\(index)\t\(worker.name)\t\(worker.listenDescription)\t\(worker.count)")
            let exits = exitCounts[index] ?? [0: 0]
            for (status, count) in exits.sorted(by: { $0.key < $1.key }) {
                lines.append("exit\t\(index)\t\(status)\t\(count)")
            }
        }
        for (pid, child) in children.sorted(by: { $0.key < $1.key }) {
            lines.append("process\t\(pid)\t\(child.slot.workerIndex)\t\(child.slot.id)")
        }
        writeFile(files.status, lines.joined(separator: "\n") + "\n", mode: 0o666)
        chmod(files.status, 0o666)
        for pid in children.keys { kill(pid, SIGABRT) }
    }

    private func requestConnections() {
        let lines = children.keys.sorted().map { "process\t\($0)" }
        writeFile(files.connections, lines.joined(separator: "\n") + "\n", mode: 0o666)
        chmod(files.connections, 0o666)
        for pid in children.keys { kill(pid, SIGIO) }
    }
}

/// Reads "ready <pid>" lines that worker processes write once `onWorkerStart` has run.
private final class ReadyPipe: EventHandler {
    let fd: Int32
    let onReady: (pid_t) -> Void
    private var pending: [UInt8] = []

    init(fd: Int32, onReady: @escaping (pid_t) -> Void) {
        self.fd = fd
        self.onReady = onReady
    }

    func handleReadable() {
        var chunk = [UInt8](repeating: 0, count: 4096)
        while case .processed(let count) = chunk.withUnsafeMutableBytes({ (try? Sys.read(fd, $0)) ?? .wouldBlock }),
            count > 0
        {
            pending += chunk[0..<count]
        }
        while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
            let line = String(decoding: pending[..<newline], as: UTF8.self)
            pending.removeFirst(newline + 1)
            if line.hasPrefix("ready "), let pid = pid_t(line.dropFirst(6)) { onReady(pid) }
        }
    }
}
