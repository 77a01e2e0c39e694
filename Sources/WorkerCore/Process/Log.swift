import Glibc

/// Workerman's own log: start, stop, worker exits, closed connections and their reasons.
///
/// Each line reads `YYYY-mm-dd HH:MM:SS pid:N message`. It goes to standard error and, when
/// `Log.file` is set, is appended to that file too.
public enum Log {
    /// A file every line is appended to as well, or nil.
    nonisolated(unsafe) public static var file: String?  // set before runAll; one thread per process
    /// Set to false to keep lines off standard error (they still reach `file`).
    nonisolated(unsafe) public static var toStandardError = true

    /// Writes one line.
    public static func write(_ message: String) {
        let line = "\(timestamp()) pid:\(getpid()) \(message)\n"
        if toStandardError { StandardStream.error(line) }
        if let file {
            let fd = open(file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
            if fd >= 0 {
                var line = line
                line.withUTF8 { _ = Glibc.write(fd, $0.baseAddress, $0.count) }
                Glibc.close(fd)
            }
        }
    }

    /// The local time as `YYYY-mm-dd HH:MM:SS`.
    public static func timestamp(_ time: time_t = time(nil)) -> String {
        var time = time
        var parts = tm()
        localtime_r(&time, &parts)
        var text = [CChar](repeating: 0, count: 32)
        strftime(&text, text.count, "%Y-%m-%d %H:%M:%S", &parts)
        return text.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }
}
