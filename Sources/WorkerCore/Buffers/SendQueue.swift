import Glibc

/// What a connection has not yet handed to the kernel: a list of buffers written out with one
/// vectored `sendmsg` when several are waiting. Small sends are appended to the last buffer;
/// large ones keep their own buffer, so nothing big is copied twice.
struct SendQueue {
    private var buffers: [ByteBuffer] = []
    private var head = 0
    /// The number of queued bytes.
    private(set) var byteCount = 0

    /// Appends above this size start a buffer of their own instead of growing the last one.
    static let coalesceLimit = 64 * 1024
    /// At most this many buffers go into one sendmsg.
    static let maxVectors = 64

    var isEmpty: Bool { byteCount == 0 }

    /// Runs `encode` to append bytes at the end of the queue, and returns how many it appended.
    /// If `encode` throws, nothing it wrote stays queued.
    mutating func append(sizeHint: Int, _ encode: (inout ByteBuffer) throws -> Void) rethrows -> Int {
        if head == buffers.count || buffers[buffers.count - 1].readableBytes + sizeHint > Self.coalesceLimit {
            buffers.append(ByteBuffer(capacity: min(max(sizeHint, 256), Self.coalesceLimit)))
        }
        let last = buffers.count - 1
        let before = buffers[last].writerIndex
        do {
            try encode(&buffers[last])
        } catch {
            buffers[last].truncate(toWriterIndex: before)
            if buffers[last].isEmpty { buffers.removeLast() }
            throw error
        }
        let added = buffers[last].writerIndex - before
        byteCount += added
        if added == 0 && buffers[last].isEmpty { buffers.removeLast() }
        return added
    }

    /// Appends a whole buffer without copying it.
    mutating func append(_ buffer: ByteBuffer) {
        guard !buffer.isEmpty else { return }
        byteCount += buffer.readableBytes
        buffers.append(buffer)
    }

    /// Writes as much as the kernel takes. Returns `.processed(true)` when the queue is empty
    /// afterwards, `.processed(false)` or `.wouldBlock` when bytes are left.
    mutating func flush(to fd: Int32) throws(SyscallError) -> IOResult<Bool> {
        while !isEmpty {
            let written: Int
            let count = min(buffers.count - head, Self.maxVectors)
            if count == 1 {
                let bytes = UnsafeRawBufferPointer(
                    start: buffers[head].readablePointer, count: buffers[head].readableBytes)
                guard case .processed(let n) = try Sys.send(fd, bytes) else { return .wouldBlock }
                written = n
            } else {
                let vectors = UnsafeMutablePointer<iovec>.allocate(capacity: count)
                defer { vectors.deallocate() }
                for index in 0..<count {
                    let buffer = buffers[head + index]
                    vectors[index] = iovec(
                        iov_base: UnsafeMutableRawPointer(mutating: buffer.readablePointer),
                        iov_len: buffer.readableBytes)
                }
                guard case .processed(let n) = try Sys.sendVectored(fd, vectors, count: count) else {
                    return .wouldBlock
                }
                written = n
            }
            consume(written)
            if written == 0 { return .processed(false) }
        }
        return .processed(true)
    }

    /// Forgets everything queued.
    mutating func removeAll() {
        buffers.removeAll()
        head = 0
        byteCount = 0
    }

    private mutating func consume(_ count: Int) {
        var left = count
        byteCount -= count
        while left > 0 {
            let available = buffers[head].readableBytes
            if left < available {
                buffers[head].moveReaderIndex(forwardBy: left)
                return
            }
            left -= available
            head += 1
        }
        if head == buffers.count {
            buffers.removeAll(keepingCapacity: true)
            head = 0
        } else if head > 32 {
            buffers.removeFirst(head)
            head = 0
        }
    }
}
