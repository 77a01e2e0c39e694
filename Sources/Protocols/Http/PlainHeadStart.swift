import Glibc

/// The first lines of a plain 200 response, "HTTP/1.1 200 OK\r\nServer: <name>\r\nDate: <now>\r\n",
/// made again when the second or the server name changes (a process's Workers rarely have more
/// than one). One per process, used on its one thread; unchecked exclusivity (no run-time check per
/// response): private, never accessed inout across a call.
enum PlainHeadStart {
    @exclusivity(unchecked) nonisolated(unsafe) private static var server = ""
    @exclusivity(unchecked) nonisolated(unsafe) private static var second = -1
    /// The lines, in memory kept for them (no reference counting per use); nil until made.
    @exclusivity(unchecked) nonisolated(unsafe) private static var memory: UnsafeMutableRawBufferPointer?
    /// Where the `Date` line begins in `memory`.
    @exclusivity(unchecked) nonisolated(unsafe) private static var dateStart = 0

    /// The status line of a 200, the `Server` line unless `server` is empty and the `Date` line
    /// unless `date` is false; valid until the next call. Inline, so that the server name is
    /// compared where it is read (no reference counting for it).
    @inline(__always)
    static func lines(server name: String, date: Bool) -> UnsafeRawBufferPointer {
        let now = Int(time(nil))
        if now != second || name != server || memory == nil { remake(server: name, now: now) }
        let made = memory.unsafelyUnwrapped
        return UnsafeRawBufferPointer(rebasing: made[0..<(date ? made.count : dateStart)])
    }

    private static func remake(server name: String, now: Int) {
        var bytes = Array("HTTP/1.1 200 OK\r\n".utf8)
        if !name.isEmpty { bytes += Array("Server: \(name)\r\n".utf8) }
        let start = bytes.count
        bytes += Array("Date: \(HttpDate.format(now))\r\n".utf8)
        memory?.deallocate()
        let made = UnsafeMutableRawBufferPointer.allocate(byteCount: bytes.count, alignment: 1)
        made.copyBytes(from: bytes)
        memory = made
        server = name
        second = now
        dateStart = start
    }
}
