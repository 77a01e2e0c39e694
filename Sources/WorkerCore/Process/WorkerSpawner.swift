import Glibc

/// Starts worker processes: posix_spawn of the program's executable (as it is on disk now) with
/// the master's arguments, its environment plus the worker's identity, a clean signal mask and
/// default signal dispositions. Listening sockets and the notify pipe are inherited.
enum WorkerSpawner {
    /// Signals the master handles, reset to their defaults in the new process.
    /// Signals a worker process handles on its loop.
    static let workerSignals: [Int32] = [SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGIO, SIGABRT]

    static let resetSignals: [Int32] = [
        SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGIO, SIGABRT, SIGCHLD, SIGPIPE, SIGTSTP,
    ]

    static func spawn(_ identity: WorkerIdentity, arguments: [String]) throws(SyscallError) -> pid_t {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // Blocked until the worker's loop reads them from its signalfd: a `status` or `reload`
        // that reaches a worker still starting waits instead of killing it.
        var blocked = sigset_t()
        sigemptyset(&blocked)
        for signal in workerSignals { sigaddset(&blocked, signal) }
        posix_spawnattr_setsigmask(&attributes, &blocked)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in resetSignals { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let ownVariables = Set(identity.environmentEntries().map { $0.prefix { $0 != "=" } })
        var variables: [String] = []
        var index = 0
        while let entry = environ[index] {
            let text = String(cString: entry)
            if !ownVariables.contains(text.prefix { $0 != "=" }) { variables.append(text) }
            index += 1
        }
        variables += identity.environmentEntries()

        let path = Executable.path
        let argv = ([path] + arguments.dropFirst()).map { strdup($0) } + [nil]
        let envp = variables.map { strdup($0) } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, path, nil, &attributes, argv, envp)
        guard result == 0 else { throw SyscallError("posix_spawn \(path)", errno: result) }
        return pid
    }
}
