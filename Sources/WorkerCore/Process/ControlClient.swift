import Glibc
import WorkermanTimer

/// The command-line side of `stop`, `reload`, `status` and `connections`: finds the master through
/// the pid file, signals it, and reads what the processes wrote next to the pid file.
struct ControlClient {
    let files: RuntimeFiles
    let program: String

    private var title: String { "Workerman[\(program)]" }

    private func runningMaster(quiet: Bool = false) -> pid_t? {
        if let master = files.runningMasterPID() { return master }
        if !quiet { StandardStream.error("\(title) not run\n") }
        return nil
    }

    /// Signals the master to stop (SIGINT, or SIGQUIT for graceful) and waits until it is gone.
    @discardableResult
    func stop(graceful: Bool, quietWhenNotRunning: Bool) -> Bool {
        guard let master = runningMaster(quiet: quietWhenNotRunning) else { return quietWhenNotRunning }
        StandardStream.output("\(title) is stopping\(graceful ? " gracefully" : "") ...\n")
        kill(master, graceful ? SIGQUIT : SIGINT)
        let limit = Worker.stopTimeout + 5  // the master kills what is left after stopTimeout (+ 1.5 s)
        let start = MonotonicClock.now()
        while kill(master, 0) == 0 || errno == EPERM {
            if Double(MonotonicClock.now() - start) / 1e9 > limit {
                StandardStream.error("\(title) stop fail\n")
                return false
            }
            usleep(10_000)
        }
        StandardStream.output("\(title) stop success\n")
        return true
    }

    /// Asks the master to reload (SIGUSR1, or SIGUSR2 for graceful).
    func reload(graceful: Bool) -> Bool {
        guard let master = runningMaster() else { return false }
        kill(master, graceful ? SIGUSR2 : SIGUSR1)
        StandardStream.output("\(title) reload\n")
        return true
    }

    /// Prints the status tables once, or every second with `live`.
    func status(live: Bool) -> Bool {
        guard let master = runningMaster() else { return false }
        var previous: StatusSnapshot?
        repeat {
            unlink(files.status)
            kill(master, SIGABRT)
            let snapshot = waitForSnapshot()
            var text = StatusFormatter.format(snapshot, previous: previous)
            if live { text = "\u{1b}[H\u{1b}[2J\u{1b}(B\u{1b}[m" + text + "\nPress Ctrl+C to quit.\n\n" }
            StandardStream.output(text)
            previous = snapshot
            if live { sleep(1) }
        } while live && kill(master, 0) == 0
        return true
    }

    /// Waits (at most 1 s) until the master's header and every process's report are in the file.
    private func waitForSnapshot() -> StatusSnapshot {
        let start = MonotonicClock.now()
        var snapshot = StatusSnapshot(text: "")
        repeat {
            usleep(20_000)
            snapshot = StatusSnapshot(text: readFile(files.status) ?? "")
            if snapshot.hasHeader && snapshot.isComplete { break }
        } while MonotonicClock.now() - start < 1_000_000_000
        snapshot.takenAt = MonotonicClock.now()
        return snapshot
    }

    /// Prints every connection of every worker process.
    func connections() -> Bool {
        guard let master = runningMaster() else { return false }
        unlink(files.connections)
        kill(master, SIGIO)
        let start = MonotonicClock.now()
        var lines: [[String]] = []
        repeat {
            usleep(20_000)
            lines = (readFile(files.connections) ?? "").split(separator: "\n").map {
                $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            }
            let expected = lines.filter { $0.first == "process" }.count
            let done = lines.filter { $0.first == "done" }.count
            if expected > 0 && done >= expected { break }
        } while MonotonicClock.now() - start < 1_000_000_000
        StandardStream.output(
            StatusFormatter.formatConnections(lines.filter { $0.first == "connection" }.map { Array($0.dropFirst()) }))
        return true
    }
}
