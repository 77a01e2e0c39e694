import Glibc
import WorkermanCore

/// An open file and the byte range of it a response sends.
struct OpenFile {
    let fd: Int32
    let offset: Int
    let length: Int

    /// Opens `body.path` and clamps the range to the file; nil when it cannot be opened or is not a regular file.
    init?(_ body: Response.FileBody) {
        let fd = open(body.path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
            Glibc.close(fd)
            return nil
        }
        let size = Int(info.st_size)
        self.fd = fd
        offset = min(max(body.offset, 0), size)
        length = min(body.length ?? size, size - offset)
    }

    /// Appends up to `count` bytes from `position` to `buffer`; returns how many were read (0 at end or on error).
    func read(at position: Int, count: Int, into buffer: inout ByteBuffer) -> Int {
        buffer.writeWithUnsafeMutableBytes(minimumWritable: count) { space in
            while true {
                let n = pread(fd, space.baseAddress, min(count, space.count), off_t(position))
                if n < 0 && errno == EINTR { continue }
                return max(n, 0)
            }
        }
    }

    /// Appends the whole range to `buffer` and closes the file.
    func read(into buffer: inout ByteBuffer) {
        var done = 0
        while done < length {
            let n = read(at: offset + done, count: length - done, into: &buffer)
            if n == 0 { break }
            done += n
        }
        Glibc.close(fd)
    }
}

/// Copies a large file to a connection a slice at a time, paced by the send buffer: it stops when
/// the buffer reaches `maxSendBufferSize` (where `onBufferFull` fires) and goes on at `onBufferDrain`.
/// The worker holds at most about one send buffer and one slice of the file in memory.
///
/// While it runs the connection does not read (`pauseRecv`), so a pipelined request is answered
/// only after the file, in order.
final class FileStreamer {
    /// Bytes read from the file per slice.
    static let sliceSize = 256 * 1024
    /// Bytes sent per turn of the event loop before letting other connections run.
    static let turnBudget = 4 * 1024 * 1024

    private let file: OpenFile
    private weak var connection: TcpConnection?
    private let keepAlive: Bool
    private var sent = 0
    private var done = false
    private var waitingForDrain = false
    private var previousDrain: ((TcpConnection) -> Void)?

    init(_ file: OpenFile, connection: TcpConnection, keepAlive: Bool) {
        self.file = file
        self.connection = connection
        self.keepAlive = keepAlive
        previousDrain = connection.onBufferDrain
        connection.onBufferDrain = { [weak self] connection in
            self?.previousDrain?(connection)
            self?.drained()
        }
        connection.pauseRecv()
        EventLoop.current.execute { [weak self] in self?.pump() }
    }

    private func drained() {
        guard waitingForDrain else { return }
        waitingForDrain = false
        pump()
    }

    /// Sends slices until the buffer is full, the turn's budget is spent, or the file is done.
    private func pump() {
        guard !done, let connection, connection.state == .established else { return cancel() }
        var budget = Self.turnBudget
        while sent < file.length {
            if connection.sendBufferSize >= connection.maxSendBufferSize {
                waitingForDrain = true
                return
            }
            if budget <= 0 {
                EventLoop.current.execute { [weak self] in self?.pump() }
                return
            }
            var slice = ByteBuffer(capacity: Self.sliceSize)
            let count = file.read(at: file.offset + sent, count: min(Self.sliceSize, file.length - sent), into: &slice)
            guard count > 0 else {
                Log.write("HTTP file stream: read failed after \(sent) of \(file.length) bytes")
                connection.destroy()
                return
            }
            guard connection.send(.object(slice), raw: true) != .failed else { return cancel() }
            sent += count
            budget -= count
        }
        complete(connection)
    }

    private func complete(_ connection: TcpConnection) {
        release()
        guard let state = connection.protocolState(of: Http.self) else { return }
        state.stream = nil
        ResponseEncoder.finish(keepAlive: keepAlive, state, connection)
        connection.resumeRecv()
    }

    /// Stops streaming (the connection closed) and closes the file.
    func cancel() { release() }

    private func release() {
        guard !done else { return }
        done = true
        Glibc.close(file.fd)
        if let connection, connection.state != .closed {
            connection.onBufferDrain = previousDrain
        }
        previousDrain = nil
    }
}
