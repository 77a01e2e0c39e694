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

    /// Writes one line of a kind that can come in floods (failed TLS handshakes, bad packets): at
    /// most `perSecond` lines of that kind each second; the rest are counted and reported once the
    /// next second's first line of that kind is written.
    public static func writeLimited(_ kind: String, _ message: String, perSecond: Int = 10) {
        let now = time(nil)
        var state = limits[kind] ?? (second: now, written: 0, suppressed: 0)
        if state.second != now {
            if state.suppressed > 0 { write("(\(state.suppressed) more '\(kind)' lines suppressed)") }
            state = (now, 0, 0)
        }
        if state.written < perSecond {
            state.written += 1
            write(message)
        } else {
            state.suppressed += 1
        }
        limits[kind] = state
    }

    // One thread per process owns it.
    nonisolated(unsafe) private static var limits: [String: (second: time_t, written: Int, suppressed: Int)] = [:]

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
