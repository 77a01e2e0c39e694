import Glibc

/// The table printed when the server starts, in Workerman's layout.
enum StartBanner {
    static func print(workers: [Worker], fileLimit: UInt64, startFile: String, daemon: Bool) {
        let name = String(startFile.split(separator: "/").last ?? "")
        var lines = ["Workerman[\(name)] start in \(daemon ? "DAEMON" : "DEBUG") mode"]
        lines.append("\(dashes(23)) WORKERMAN \(dashes(29))")
        lines.append(
            "Workerman version:\(workermanVersion)          Swift version:\(swiftVersion)          open files:\(fileLimit)"
        )
        lines.append("\(dashes(24)) WORKERS \(dashes(30))")
        let user = currentUserName()
        let rows = workers.map { [$0.user ?? user, $0.name, $0.listenDescription, String($0.count), " [OK]"] }
        let header = ["user", "worker", "listen", "processes", "status"]
        let widths = (0..<header.count).map { column in ([header] + rows).map { $0[column].count }.max()! + 2 }
        for row in [header] + rows {
            lines.append(zip(row, widths).map { $0 + String(repeating: " ", count: $1 - $0.count) }.joined())
        }
        lines.append(dashes(63))
        lines.append(daemon ? "Input \"\(name) stop\" to stop. Start success." : "Press Ctrl+C to stop. Start success.")
        StandardStream.output(lines.joined(separator: "\n") + "\n")
    }

    private static func dashes(_ count: Int) -> String { String(repeating: "-", count: count) }

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
