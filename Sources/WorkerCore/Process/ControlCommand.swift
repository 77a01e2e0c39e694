/// A command given on the command line of any program that calls `Worker.runAll()`.
enum ControlCommand: Equatable {
    case start(daemon: Bool)
    case stop(graceful: Bool)
    case restart(daemon: Bool, graceful: Bool)
    case reload(graceful: Bool)
    case status(live: Bool)
    case connections
    case help

    /// Parses the arguments after the program name; nil for anything not understood.
    init?(_ arguments: [String]) {
        guard let verb = arguments.first else { return nil }
        let flags = Set(arguments.dropFirst())
        guard flags.isSubset(of: ["-d", "-g"]) else { return nil }
        let daemon = flags.contains("-d")
        let graceful = flags.contains("-g")
        switch verb {
        case "start" where !graceful: self = .start(daemon: daemon)
        case "stop" where !daemon: self = .stop(graceful: graceful)
        case "restart": self = .restart(daemon: daemon, graceful: graceful)
        case "reload" where !daemon: self = .reload(graceful: graceful)
        case "status" where !graceful: self = .status(live: daemon)
        case "connections" where flags.isEmpty: self = .connections
        case "--help", "-h", "help": self = .help
        default: return nil
        }
    }

    /// The usage text.
    static func usage(program: String) -> String {
        """
        Usage: \(program) <command> [mode]
        Commands:
          start         Start in the foreground (DEBUG mode). Use -d to start as a daemon (DAEMON mode).
          stop          Stop the server. Use -g to stop gracefully (wait for connections to close).
          restart       Stop, then start. Use -d to start as a daemon, -g to stop gracefully.
          reload        Replace the worker processes one at a time with the executable as it is on disk
                        now. Use -g to let each finish its connections first.
          status        Show the server's status. Use -d to refresh it every second.
          connections   List the connections of every worker process.

        """
    }
}
