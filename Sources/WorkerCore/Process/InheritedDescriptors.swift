import Glibc

/// Descriptors a process was started with beyond standard input, output and error, and that would
/// pass on to the processes it starts (those without close-on-exec).
enum InheritedDescriptors {
    /// Their numbers.
    static func list() -> [Int32] {
        // The listing's own descriptor is closed by the time the names are checked, so it is not among them.
        var found: [Int32] = []
        for name in Sys.directoryEntries("/proc/self/fd") {
            if let fd = Int32(name), fd > STDERR_FILENO, fcntl(fd, F_GETFD) & FD_CLOEXEC == 0 {
                found.append(fd)
            }
        }
        return found
    }

    /// Closes them (a daemon's launcher may wait for them to close).
    static func closeAll() {
        for fd in list() { close(fd) }
    }

    /// Keeps them in this process but out of the processes it starts.
    static func keepFromChildren() {
        for fd in list() { try? Sys.setInheritable(fd, false) }
    }
}
