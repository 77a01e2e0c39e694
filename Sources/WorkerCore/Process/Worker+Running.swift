import Glibc
import Timer

extension Worker {
    /// Starts every Worker made so far and runs until stopped; never returns.
    ///
    /// Each Worker's listener is opened first: an address in use, a bad address or a missing
    /// permission prints one line and exits with status 1 before any callback runs. The soft limit
    /// on open files is raised to the hard limit. SIGINT, SIGTERM and SIGHUP stop at once (open
    /// connections are closed); SIGQUIT stops gracefully (no new connections; exit when the last
    /// one closes).
    public static func runAll() -> Never {
        let arguments = Array(CommandLine.arguments.dropFirst())
        if let command = arguments.first, command != "start" {
            let program = CommandLine.arguments.first.map { String($0.split(separator: "/").last ?? "") } ?? "server"
            print("Usage: \(program) start\nThis build runs every Worker in one process; unknown command '\(command)'.")
            exit(command == "--help" || command == "-h" ? 0 : 1)
        }
        Sys.ignoreSIGPIPE()
        let fileLimit = Sys.raiseOpenFileLimit()
        let workers = all.filter { $0.address != nil || $0.onWorkerStart != nil }
        for worker in workers where worker.address != nil {
            do {
                try worker.listen()
                worker.pauseAccept()
            } catch {
                StandardStream.error("\(error)\n")
                exit(1)
            }
        }
        StartBanner.print(workers: workers, fileLimit: fileLimit)
        WorkerProcess.run(workers)
    }

    /// Stops this process's Workers: `onWorkerStop` runs, connections are closed, the process exits.
    public static func stopAll() {
        WorkerProcess.stop(graceful: false)
    }
}

/// The table printed when the server starts (Workerman's layout).
enum StartBanner {
    static func print(workers: [Worker], fileLimit: UInt64) {
        let rule = String(repeating: "-", count: 30)
        var lines = [
            "\(rule) WORKERMAN \(rule)",
            "Workerman version:\(workermanVersion)  Swift:\(swiftVersion)  open files:\(fileLimit)",
        ]
        lines.append("\(rule) WORKERS \(rule)")
        let nameWidth = max(8, workers.map(\.name.count).max() ?? 0)
        let listenWidth = max(8, workers.map(\.listenDescription.count).max() ?? 0)
        func pad(_ text: String, _ width: Int) -> String {
            text + String(repeating: " ", count: max(1, width - text.count + 1))
        }
        lines.append(
            pad("user", 10) + pad("worker", nameWidth) + pad("listen", listenWidth) + pad("processes", 10) + "status")
        let user = currentUserName()
        for worker in workers {
            lines.append(
                pad(worker.user ?? user, 10) + pad(worker.name, nameWidth) + pad(worker.listenDescription, listenWidth)
                    + pad(String(worker.count), 10) + " [OK] ")
        }
        lines.append(String(repeating: "-", count: 70))
        lines.append("Press Ctrl+C to stop. Start success.")
        StandardStream.output(lines.joined(separator: "\n") + "\n")
    }

    static func currentUserName() -> String {
        guard let entry = getpwuid(geteuid()), let name = entry.pointee.pw_name else { return String(geteuid()) }
        return String(cString: name)
    }
}

/// The version of this library, shown by the banner and `status`.
public let workermanVersion = "0.1.0"

/// The Swift compiler version the program was built with.
public var swiftVersion: String {
    #if compiler(>=6.3)
        return "6.3"
    #elseif compiler(>=6.2)
        return "6.2"
    #elseif compiler(>=6.1)
        return "6.1"
    #else
        return "6.0"
    #endif
}
