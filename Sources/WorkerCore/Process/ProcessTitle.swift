import CWorkermanEpoll
import Glibc

/// Sets the title `ps` shows for this process by rewriting the argument area in place (moving the
/// environment out of the way first, as nginx and PostgreSQL do), and the short name `top` shows.
enum ProcessTitle {
    nonisolated(unsafe) private static var area: UnsafeMutableRawBufferPointer?  // one thread per process

    /// Shows `title` (truncated to the space the arguments and environment had).
    static func set(_ title: String) {
        _ = CommandLine.arguments  // read the real arguments before their memory is reused
        guard let area = area ?? claimArea() else { return }
        let bytes = Array(title.utf8.prefix(area.count - 1))
        area.initializeMemory(as: UInt8.self, repeating: 0)
        area.copyBytes(from: bytes)
        let short = Array(title.split(separator: " ").dropFirst().joined(separator: " ").utf8.prefix(15)) + [0]
        short.withUnsafeBufferPointer { pointer in
            _ = pointer.withMemoryRebound(to: CChar.self) { cepoll_set_process_name($0.baseAddress!) }
        }
    }

    /// The contiguous argv + environ strings, with the environment copied elsewhere first.
    private static func claimArea() -> UnsafeMutableRawBufferPointer? {
        let argc = Int(CommandLine.argc)
        let argv = CommandLine.unsafeArgv
        guard argc > 0, let start = argv[0] else { return nil }
        var end = start + strlen(start) + 1
        for index in 1..<max(argc, 1) {
            guard let argument = argv[index], argument == end else { break }
            end = argument + strlen(argument) + 1
        }
        var count = 0
        while environ[count] != nil { count += 1 }
        let copies = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>.allocate(capacity: count + 1)
        for index in 0..<count {
            let variable = environ[index]!
            if variable == end { end = variable + strlen(variable) + 1 }
            copies[index] = strdup(variable)
        }
        copies[count] = nil
        cepoll_set_environ(copies)
        let claimed = UnsafeMutableRawBufferPointer(start: UnsafeMutableRawPointer(start), count: end - start)
        area = claimed
        return claimed
    }
}
