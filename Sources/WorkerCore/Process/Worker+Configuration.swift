extension Worker {
    /// The master's pid file; by default `workerman.<executable>.pid` in the runtime directory
    /// (see the README). Set it before `runAll()`, e.g. to run two instances of one program.
    nonisolated(unsafe) public static var pidFile: String?  // set before runAll; one thread per process
    /// The log of starts, stops and worker exits; by default `workerman.<executable>.log` next to
    /// the pid file.
    nonisolated(unsafe) public static var logFile: String?  // set before runAll; one thread per process
    /// Where standard output and standard error go in daemon mode.
    nonisolated(unsafe) public static var stdoutFile = "/dev/null"  // set before runAll
    /// Run as a daemon even without `-d`.
    nonisolated(unsafe) public static var daemonize = false  // set before runAll
    /// Seconds a stopping or reloading process gets before the master kills it (SIGKILL).
    nonisolated(unsafe) public static var stopTimeout: Double = 2  // set before runAll
}
