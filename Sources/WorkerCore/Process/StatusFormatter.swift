import Glibc

/// What the master and its workers wrote into the status file for one `status` request.
struct StatusSnapshot {
    struct WorkerInfo {
        var name: String
        var listen: String
        var count: Int
    }

    struct Report {
        var pid: Int
        /// Bytes of the process's own memory (`MemoryUsage.privateBytes`).
        var memory: Int
        /// Bytes of resident pages it shares with other processes (`MemoryUsage.sharedBytes`).
        var shared: Int
        var connections: Int
        var sendFail: Int
        var timers: Int
        var totalRequest: Int
        var listen: String
        var name: String
    }

    var masterPID = 0
    var startTime = 0
    var daemon = false
    var workers: [Int: WorkerInfo] = [:]
    var exits: [(worker: Int, status: Int, count: Int)] = []
    var processes: [(pid: Int, worker: Int)] = []
    var reports: [Int: Report] = [:]
    var takenAt: UInt64 = 0

    var hasHeader: Bool { masterPID != 0 }
    var isComplete: Bool { processes.allSatisfy { reports[$0.pid] != nil } }

    init(text: String) {
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            let number = { (index: Int) in index < fields.count ? Int(fields[index]) ?? 0 : 0 }
            switch fields.first {
            case "master":
                masterPID = number(1)
                startTime = number(2)
                daemon = number(3) == 1
            case "worker" where fields.count >= 5:
                workers[number(1)] = WorkerInfo(name: fields[2], listen: fields[3], count: number(4))
            case "exit":
                exits.append((number(1), number(2), number(3)))
            case "process":
                processes.append((number(1), number(2)))
            case "report" where fields.count >= 9:
                reports[number(1)] = Report(
                    pid: number(1), memory: number(2), shared: number(9), connections: number(3), sendFail: number(4),
                    timers: number(5), totalRequest: number(6), listen: fields[7], name: fields[8])
            default:
                break
            }
        }
    }
}

/// Workerman's `status` and `connections` layouts (workerman-facts §A.5), with Swift's version.
enum StatusFormatter {
    static func format(_ snapshot: StatusSnapshot, previous: StatusSnapshot?) -> String {
        var lines: [String] = []
        lines.append("Running in \(snapshot.daemon ? "DAEMON" : "DEBUG") mode, master pid \(snapshot.masterPID).")
        lines.append(rule("GLOBAL STATUS", 51, 57))
        lines.append(pad("Workerman/\(workermanVersion)", 24) + pad("Swift/\(swiftVersion)", 30) + systemName())
        let uptime = max(0, Int(time(nil)) - snapshot.startTime)
        lines.append(
            "start time:\(Log.timestamp(time_t(snapshot.startTime)))   run \(uptime / 86400) days \(uptime % 86400 / 3600) hours   load average: \(loadAverage())"
        )
        lines.append("\(snapshot.workers.count) workers       \(snapshot.processes.count) processes")
        let nameWidth = max(8, snapshot.workers.values.map(\.name.count).max() ?? 0)
        lines.append(pad("name", nameWidth) + "     event-loop     exit_status     exit_count")
        for (index, info) in snapshot.workers.sorted(by: { $0.key < $1.key }) {
            for exit in snapshot.exits where exit.worker == index {
                lines.append(
                    pad(info.name, nameWidth) + "     " + pad("epoll", 14) + " " + pad(String(exit.status), 16)
                        + pad(String(exit.count), 16))
            }
        }
        lines.append(rule("PROCESS STATUS", 51, 56))
        let listenWidth = max(9, snapshot.workers.values.map(\.listen.count).max() ?? 0)
        lines.append(
            "pid\tmemory  shared  " + pad("listening", listenWidth) + " " + pad("name", nameWidth) + " connections "
                + pad("send_fail", 9) + " "
                + pad("timers", 8) + pad("total_request", 13) + " qps    status")
        var totals = (memory: 0, connections: 0, sendFail: 0, timers: 0, requests: 0, qps: 0)
        for process in snapshot.processes.sorted(by: { $0.pid < $1.pid }) {
            let info = snapshot.workers[process.worker]
            guard let report = snapshot.reports[process.pid] else {
                lines.append(
                    "\(process.pid)\t" + pad("N/A", 7) + " " + pad("N/A", 7) + " "
                        + pad(info?.listen ?? "", listenWidth) + " "
                        + pad(info?.name ?? "", nameWidth) + " "
                        + pad("N/A", 11) + " " + pad("N/A", 9) + " " + pad("N/A", 7) + " " + pad("N/A", 13) + " "
                        + pad("N/A", 6) + " [busy]")
                continue
            }
            var qps = 0
            if let previous, let before = previous.reports[process.pid], snapshot.takenAt > previous.takenAt {
                let seconds = Double(snapshot.takenAt - previous.takenAt) / 1e9
                qps = Int((Double(report.totalRequest - before.totalRequest) / seconds).rounded())
            }
            totals = (
                totals.memory + report.memory, totals.connections + report.connections,
                totals.sendFail + report.sendFail,
                totals.timers + report.timers, totals.requests + report.totalRequest, totals.qps + qps
            )
            lines.append(
                "\(report.pid)\t" + pad(megabytes(report.memory), 7) + " " + pad(megabytes(report.shared), 7) + " "
                    + pad(report.listen, listenWidth) + " "
                    + pad(report.name, nameWidth)
                    + " " + pad(String(report.connections), 11) + " " + pad(String(report.sendFail), 9) + " "
                    + pad(String(report.timers), 7)
                    + " " + pad(String(report.totalRequest), 13) + " " + pad(String(qps), 6) + " [idle]")
        }
        lines.append(rule("PROCESS STATUS", 51, 56))
        lines.append(
            "Summary\t" + pad(megabytes(totals.memory), 7) + " " + pad("-", 7) + " " + pad("-", listenWidth) + " "
                + pad("-", nameWidth)
                + " "
                + pad(String(totals.connections), 11) + " " + pad(String(totals.sendFail), 9) + " "
                + pad(String(totals.timers), 7) + " "
                + pad(String(totals.requests), 13) + " " + pad(String(totals.qps), 6) + " [Summary]")
        lines.append("memory: each process's own pages; shared: pages of the program and its libraries, kept once")
        return lines.joined(separator: "\n") + "\n"
    }

    /// The `connections` table: one row per connection, fields as the workers wrote them.
    static func formatConnections(_ rows: [[String]]) -> String {
        var lines = [rule("WORKERMAN CONNECTION STATUS", 44, 47)]
        lines.append(
            "PID      Worker          CID       Trans   Protocol        ipv4   ipv6   Recv-Q       Send-Q       Bytes-R      Bytes-W       Status         Local Address          Foreign Address"
        )
        let widths = [9, 16, 10, 8, 16, 7, 7, 13, 13, 13, 13]
        for row in rows where row.count >= 14 {
            var fields = Array(row[0..<11])
            for index in 7...10 { fields[index] = humanBytes(Int(fields[index]) ?? 0) }
            fields[5] = fields[5] == "1" ? "1" : "0"
            let text = zip(fields, widths).map { pad($0, $1) }.joined()
            lines.append(text + " " + pad(row[11], 14) + " " + pad(row[12], 22) + " " + pad(row[13], 22))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private static func rule(_ title: String, _ left: Int, _ right: Int) -> String {
        String(repeating: "-", count: left) + title + String(repeating: "-", count: right)
    }

    static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }

    /// "0.61M".
    static func megabytes(_ bytes: Int) -> String {
        let hundredths = (bytes * 100 + 524_288) / 1_048_576
        let fraction = hundredths % 100
        return "\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction)M"
    }

    /// "512B", "3.2KB", "1.5MB".
    static func humanBytes(_ bytes: Int) -> String {
        let units = ["B", "KB", "MB", "GB", "TB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1024 && unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        if unit == 0 { return "\(bytes)B" }
        let tenths = Int((value * 10).rounded())
        return "\(tenths / 10).\(tenths % 10)\(units[unit])"
    }

    private static func systemName() -> String {
        var names = utsname()
        uname(&names)
        let release = withUnsafeBytes(of: names.release) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
        return "Linux/\(release)"
    }

    private static func loadAverage() -> String {
        var loads = [Double](repeating: 0, count: 3)
        getloadavg(&loads, 3)
        return loads.map { value in
            let hundredths = Int((value * 100).rounded())
            return "\(hundredths / 100).\(hundredths % 100 < 10 ? "0" : "")\(hundredths % 100)"
        }.joined(separator: ", ")
    }
}
