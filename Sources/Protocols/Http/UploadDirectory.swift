import Glibc
import WorkermanCore

/// Where this process writes temporary upload files: its own directory in a Worker's `http.uploadDirectory`,
/// `workerman-uploads-<ProcessSlot.name>` (mode 0700), made on first use. When a worker process
/// starts, and at that first use, the directories of this server's processes that are
/// gone (killed mid-upload, say) are removed with what they hold; a live sibling's, or a leaving
/// process's during a reload, are never touched.
enum UploadDirectory {
    /// The directory made in this process under each base directory.
    nonisolated(unsafe) private static var prepared: [String: String] = [:]  // one thread per process

    /// This process's directory under `base` (a Worker's `http.uploadDirectory`), made (and the dead
    /// processes' swept) when first asked for.
    static func current(in base: String) -> String {
        if let path = prepared[base] { return path }
        sweepLeftOvers(in: base)
        let path = "\(base)/workerman-uploads-\(ProcessSlot.name)"
        mkdir(path, 0o700)
        prepared[base] = path
        return path
    }

    /// Registered to run when a worker process starts: sweeps the upload directories of its Workers,
    /// makes nothing (a process that never receives a large upload leaves no directory).
    static func sweepAtStart(_ workers: [Worker]) {
        let bases = Set(workers.filter { $0.protocol == Http.self }.map { $0.http.uploadDirectory })
        for base in bases { sweepLeftOvers(in: base) }
    }

    /// Removes the upload directories (and their files) of this server's processes that are gone.
    static func sweepLeftOvers(in base: String) {
        let prefix = "workerman-uploads-\(ProcessSlot.instance)-"
        for name in Sys.directoryEntries(base) where name.hasPrefix(prefix) && ProcessSlot.isLeftOver(name) {
            let directory = base + "/" + name
            for file in Sys.directoryEntries(directory) where file != "." && file != ".." {
                unlink(directory + "/" + file)
            }
            if rmdir(directory) == 0 {
                Log.write("removed \(directory), left by a process that is gone")
            }
        }
    }
}
