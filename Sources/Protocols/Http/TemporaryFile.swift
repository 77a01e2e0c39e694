import Glibc

/// A file in this process's own directory under the Worker's `http.uploadDirectory` (see
/// `UploadDirectory`) holding bytes too large for memory (a streamed request body or an uploaded
/// file): written in pieces, removed when the last reference to this object goes, or when a worker
/// process of the server next starts if this process dies first.
final class TemporaryFile {
    /// Where the bytes are.
    let path: String
    /// The bytes written so far.
    private(set) var size = 0
    private var fd: Int32

    /// A new, empty file in this process's directory under `directory` (`workerman-upload-XXXXXX`,
    /// mode 0600); nil when it cannot be made.
    init?(directory: String) {
        var template = Array("\(UploadDirectory.current(in: directory))/workerman-upload-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { return nil }
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)  // mkostemp is not visible to Swift here
        self.fd = fd
        path = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Appends `bytes`; false when the disk refused them (the file is then unusable).
    func append(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard fd >= 0 else { return false }
        var done = 0
        while done < bytes.count {
            let n = write(fd, bytes.baseAddress! + done, bytes.count - done)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 {
                closeForWriting()
                return false
            }
            done += n
        }
        size += done
        return true
    }

    /// Closes the descriptor once everything is written; the file stays until this object goes.
    func closeForWriting() {
        if fd >= 0 { Glibc.close(fd) }
        fd = -1
    }

    /// Every byte of the file read back into memory (for small files, or when memory is no concern).
    func readAll() -> [UInt8] {
        var bytes: [UInt8] = []
        _ = forEachBlock { bytes.append(contentsOf: $0) }
        return bytes
    }

    /// Reads the file front to back in blocks of 64 KiB, calling `body` with each; false on a read error.
    func forEachBlock(_ body: (UnsafeRawBufferPointer) -> Void) -> Bool {
        let input = open(path, O_RDONLY | O_CLOEXEC)
        guard input >= 0 else { return false }
        defer { Glibc.close(input) }
        let block = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)
        defer { block.deallocate() }
        while true {
            let n = read(input, block.baseAddress!, block.count)
            if n < 0 && errno == EINTR { continue }
            if n < 0 { return false }
            if n == 0 { return true }
            body(UnsafeRawBufferPointer(rebasing: block[0..<n]))
        }
    }

    deinit {
        closeForWriting()
        unlink(path)
    }
}
