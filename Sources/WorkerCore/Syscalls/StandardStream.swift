import CWorkermanEpoll
import Glibc

/// Unbuffered writes to standard output and standard error: nothing waits in a stdio buffer to be
/// duplicated by a fork or lost by an exit.
public enum StandardStream {
    /// Writes `text` to standard output.
    public static func output(_ text: String) { write(text, to: STDOUT_FILENO) }

    /// Writes `text` to standard error.
    public static func error(_ text: String) { write(text, to: STDERR_FILENO) }

    /// Makes `print` (C's `stdout`) flush at every newline even when standard output is a file or a
    /// pipe (systemd, Docker, `> log`), where C would otherwise hold it in a 4 KiB block buffer until
    /// the process exits: a worker's output appears as it is printed, as Workerman's `echo` does.
    /// `Worker.runAll()` calls it first thing, in the master, in every worker process and in a daemon.
    public static func lineBufferStandardOutput() {
        cepoll_line_buffer_stdout()
    }

    private static func write(_ text: String, to fd: Int32) {
        var text = text
        text.withUTF8 { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
                if written < 0 && errno == EINTR { continue }
                guard written > 0 else { return }
                offset += written
            }
        }
    }
}
