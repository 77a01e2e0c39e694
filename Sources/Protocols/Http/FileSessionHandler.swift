import Glibc
import WorkermanCore

/// The default `SessionHandler`: one file per session (`ses_<id>`, mode 0600) in a directory made
/// with mode 0700 on first use. A session's age is its file's modification time.
///
/// The default directory is `$HOME/.workerman/sessions` (`/var/lib/workerman/sessions` without a
/// HOME), not /tmp, whose cleaners would log users out. Writes go to a temporary file renamed over
/// the old one, so a reader never sees half a session.
public final class FileSessionHandler: SessionHandler {
    /// Where the session files are.
    public let directory: String

    /// A handler keeping its files in `directory` (default: see the type's documentation).
    public init(directory: String = FileSessionHandler.defaultDirectory) {
        self.directory = directory
    }

    /// `$HOME/.workerman/sessions`, or `/var/lib/workerman/sessions` when HOME is not set.
    public static var defaultDirectory: String {
        if let home = getenv("HOME").map({ String(cString: $0) }), !home.isEmpty {
            return home + "/.workerman/sessions"
        }
        return "/var/lib/workerman/sessions"
    }

    /// The stored bytes, or nil when there is no file or it is older than `maxLifetime`.
    public func read(_ id: String, maxLifetime: Int) -> [UInt8]? {
        let path = file(id)
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        if isExpired(info, maxLifetime: maxLifetime, now: time(nil)) {
            unlink(path)
            return nil
        }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var block = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = block.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress!, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n < 0 { return nil }
            if n == 0 { return bytes }
            bytes.append(contentsOf: block[0..<n])
        }
    }

    /// Writes `data` to a temporary file and renames it over the session's file.
    @discardableResult
    public func write(_ id: String, _ data: [UInt8]) -> Bool {
        guard makeDirectory() else { return false }
        let temporary = file(id) + ".\(getpid()).tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return false }
        var done = 0
        let written = data.withUnsafeBytes { raw -> Bool in
            while done < raw.count {
                let n = Glibc.write(fd, raw.baseAddress! + done, raw.count - done)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { return false }
                done += n
            }
            return true
        }
        close(fd)
        guard written, rename(temporary, file(id)) == 0 else {
            unlink(temporary)
            return false
        }
        return true
    }

    /// Sets the file's modification time to now.
    public func touch(_ id: String) { _ = utimes(file(id), nil) }

    /// Removes the session's file.
    public func destroy(_ id: String) { unlink(file(id)) }

    /// Removes every `ses_*` file older than `maxLifetime` seconds.
    public func collectGarbage(maxLifetime: Int) {
        let now = time(nil)
        for name in Sys.directoryEntries(directory) {
            guard name.hasPrefix("ses_") else { continue }
            let path = directory + "/" + name
            var info = stat()
            if stat(path, &info) == 0 && isExpired(info, maxLifetime: maxLifetime, now: now) { unlink(path) }
        }
    }

    private func file(_ id: String) -> String { directory + "/ses_" + id }

    private func isExpired(_ info: stat, maxLifetime: Int, now: time_t) -> Bool {
        maxLifetime > 0 && Int(now - info.st_mtim.tv_sec) > maxLifetime
    }

    /// Makes the directory and its parents (mode 0700) when missing.
    private func makeDirectory() -> Bool {
        var info = stat()
        if stat(directory, &info) == 0 { return true }
        var path = ""
        for component in directory.split(separator: "/") {
            path += "/" + component
            if mkdir(path, 0o700) != 0 && errno != EEXIST { return false }
        }
        return true
    }
}
