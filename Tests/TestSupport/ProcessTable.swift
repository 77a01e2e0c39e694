import Foundation

/// Looks up processes in /proc.
public enum ProcessTable {
    /// The live children of `parent`, sorted.
    public static func children(of parent: pid_t) -> [pid_t] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { pid_t($0) }.filter { pid in
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return false }
            let fields = stat.split(separator: ")").last?.split(separator: " ") ?? []
            return fields.count > 2 && fields[0] != "Z" && pid_t(fields[1]) == parent
        }.sorted()
    }

    /// The live processes whose command line contains `text`, sorted.
    public static func processes(titled text: String) -> [pid_t] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { pid_t($0) }.filter { title($0).contains(text) }.sorted()
    }

    /// The number of open descriptors of `pid`.
    public static func descriptorCount(_ pid: pid_t) -> Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").count) ?? 0
    }

    /// The command line of `pid` as `ps` shows it.
    public static func title(_ pid: pid_t) -> String {
        ((try? String(contentsOfFile: "/proc/\(pid)/cmdline", encoding: .utf8)) ?? "").replacingOccurrences(
            of: "\0", with: " "
        )
        .trimmingCharacters(in: .whitespaces)
    }
}
