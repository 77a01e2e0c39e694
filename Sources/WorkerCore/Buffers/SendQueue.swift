import Glibc

/// What a connection has not yet handed to the kernel: a list of buffers written out with one
/// vectored `sendmsg` when several are waiting. Small sends are copied onto the last buffer;
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

    /// Appends `bytes`' unread bytes: small ones are copied onto the last buffer (while it stays
    /// under `coalesceLimit`), a large one hands its storage over and leaves `bytes` empty.
    mutating func append(copying bytes: inout ByteBuffer) {
        let count = bytes.readableBytes
        guard count > 0 else { return }
        byteCount += count
        if count > Self.coalesceLimit {
            buffers.append(bytes)
            bytes = ByteBuffer(capacity: 16 * 1024)
            return
        }
        if head == buffers.count || buffers[buffers.count - 1].writerIndex + count > Self.coalesceLimit {
            buffers.append(ByteBuffer(capacity: max(count, 4096)))
        }
        buffers[buffers.count - 1].writeBuffer(bytes)
    }

    /// Writes as much as the kernel takes. Returns `.processed(true)` when the queue is empty
    /// afterwards, `.processed(false)` or `.wouldBlock` when bytes are left (a short write means
    /// the kernel's buffer is full: wait for the socket to become writable).
    mutating func flush(to fd: Int32, through security: TransportSecuritySession? = nil) throws -> IOResult<Bool> {
        if let security { return try flush(through: security) }
        while !isEmpty {
            let count = min(buffers.count - head, Self.maxVectors)
            var offered = 0
            let result: IOResult<Int>
            if count == 1 {
                offered = buffers[head].readableBytes
                let bytes = UnsafeRawBufferPointer(start: buffers[head].readablePointer, count: offered)
                result = try Sys.send(fd, bytes)
            } else {
                result = try withUnsafeTemporaryAllocation(of: iovec.self, capacity: count) {
                    vectors throws(SyscallError) -> IOResult<Int> in
                    for index in 0..<count {
                        let buffer = buffers[head + index]
                        vectors[index] = iovec(
                            iov_base: UnsafeMutableRawPointer(mutating: buffer.readablePointer),
                            iov_len: buffer.readableBytes)
                        offered += buffer.readableBytes
                    }
                    return try Sys.sendVectored(fd, vectors.baseAddress!, count: count)
                }
            }
            guard case .processed(let written) = result else { return .wouldBlock }
            consume(written)
            if written < offered { return .processed(isEmpty) }
        }
        return .processed(true)
    }

    /// Writes buffer by buffer through a security layer (which cannot gather several buffers).
    private mutating func flush(through security: TransportSecuritySession) throws -> IOResult<Bool> {
        while !isEmpty {
            let offered = buffers[head].readableBytes
            let result = try security.write(
                UnsafeRawBufferPointer(start: buffers[head].readablePointer, count: offered))
            guard case .processed(let written) = result else { return .wouldBlock }
            consume(written)
            if written < offered { return .processed(false) }
        }
        return .processed(true)
    }

    /// The memory the queued buffers hold (for tests of the queue's growth).
    var storedCapacity: Int { buffers[head...].reduce(0) { $0 + $1.capacity } }

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
