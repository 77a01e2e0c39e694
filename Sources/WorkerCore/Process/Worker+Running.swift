import Glibc
import WorkermanTimer

extension Worker {
    /// Runs the command given on the command line (`start`, `start -d`, `stop`, `restart`, `reload`,
    /// `status`, `connections`; `--help` lists them) and never returns.
    ///
    /// `start` opens every Worker's listener in the master process first: an address in use, a bad
    /// address or a missing permission prints one line and exits with status 1 before any worker
    /// process starts. The master then starts `count` worker processes per Worker. Each worker
    /// process is a fresh run of this program's executable, told in its environment which Worker
    /// and id it is: `main` runs again, makes the same Workers, and `runAll()` runs that one
    /// Worker's callbacks. So code before `runAll()` runs in every process; put per-process set-up
    /// in `onWorkerStart`. And `reload` after a rebuild runs the new executable.
    public static func runAll() -> Never {
        StandardStream.lineBufferStandardOutput()
        if let identity = WorkerIdentity.fromEnvironment() { WorkerProcess.runAsWorker(identity) }
        let arguments = CommandLine.arguments
        let program = String((arguments.first ?? "server").split(separator: "/").last ?? "server")
        guard let command = ControlCommand(Array(arguments.dropFirst())) else {
            StandardStream.error(ControlCommand.usage(program: program))
            exit(1)
        }
        let files = RuntimeFiles.current()
        let control = ControlClient(files: files, program: program)
        switch command {
        case .help:
            StandardStream.output(ControlCommand.usage(program: program))
            exit(0)
        case .start(let daemon):
            start(files: files, arguments: arguments, daemon: daemon || Worker.daemonize)
        case .restart(let daemon, let graceful):
            control.stop(graceful: graceful, quietWhenNotRunning: true)
            start(files: files, arguments: arguments, daemon: daemon || Worker.daemonize)
        case .stop(let graceful):
            exit(control.stop(graceful: graceful, quietWhenNotRunning: false) ? 0 : 1)
        case .reload(let graceful):
            exit(control.reload(graceful: graceful) ? 0 : 1)
        case .status(let live):
            exit(control.status(live: live) ? 0 : 1)
        case .connections:
            exit(control.connections() ? 0 : 1)
        }
    }

    /// In a worker process: stops it (`onWorkerStop` runs, connections close, it exits and the
    /// master starts a fresh one). Use it to recycle a process, e.g. after N requests.
    public static func stopAll() {
        WorkerProcess.stop(graceful: false)
    }

    private static func start(files: RuntimeFiles, arguments: [String], daemon: Bool) -> Never {
        // Descriptors this process inherited (without close-on-exec) are not the workers' business; a
        // daemon also lets go of them, so that nothing that started it waits for it to exit.
        if daemon { InheritedDescriptors.closeAll() } else { InheritedDescriptors.keepFromChildren() }
        do {
            try files.checkUsable()
        } catch {
            StandardStream.error("Workerman[\(files.startFile)] \(error)\n")
            exit(1)
        }
        Log.file = files.log
        let lock = StartLock(path: files.lock)
        guard lock.acquire() else {
            let running = files.runningMasterPID().map { " (master pid \($0))" } ?? ""
            StandardStream.error("Workerman[\(files.startFile)] already running\(running)\n")
            exit(1)
        }
        if let master = files.runningMasterPID() {
            StandardStream.error("Workerman[\(files.startFile)] already running (master pid \(master))\n")
            exit(1)
        }
        Sys.ignoreSIGPIPE()
        let fileLimit = Sys.raiseOpenFileLimit()
        let workers = all
        for worker in workers {
            if let problem = Privileges.validate(user: worker.user, group: worker.group) {
                StandardStream.error("worker[\(worker.name)]: \(problem)\n")
                exit(1)
            }
        }
        let master = Master(workers: workers, files: files, arguments: arguments, daemon: daemon)
        do {
            try master.openListeners()
            try master.openReadyPipe()
        } catch {
            StandardStream.error("\(error)\n")
            exit(1)
        }
        StartBanner.print(workers: workers, fileLimit: fileLimit, startFile: files.startFile, daemon: daemon)
        if daemon { Daemon.detach(stdoutFile: Worker.stdoutFile) }
        master.run()
    }
}

/// The lock that keeps two masters off one pid file: an flock on `<pid file>.lock`, held by the
/// master for its whole life (a daemon keeps it across its forks).
struct StartLock {
    let path: String

    /// Takes the lock without waiting; false when another master holds it.
    func acquire() -> Bool {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return true }  // cannot lock: the pid-file check still applies
        return flock(fd, LOCK_EX | LOCK_NB) == 0
    }
}

/// Detaching from the terminal for `start -d`: fork, new session, fork again (so the daemon can
/// never regain a terminal), standard input from /dev/null, output to `stdoutFile`.
enum Daemon {
    static func detach(stdoutFile: String) {
        guard fork() == 0 else { exit(0) }
        setsid()
        guard fork() == 0 else { exit(0) }
        let input = open("/dev/null", O_RDONLY)
        let output = open(stdoutFile, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        if input >= 0 { dup2(input, STDIN_FILENO) }
        if output >= 0 {
            dup2(output, STDOUT_FILENO)
            dup2(output, STDERR_FILENO)
        }
        if input > STDERR_FILENO { close(input) }
        if output > STDERR_FILENO { close(output) }
    }
}
