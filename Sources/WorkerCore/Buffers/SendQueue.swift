import Glibc

/// What a connection has not yet handed to the kernel: a list of buffers written out with one
/// vectored `sendmsg` when several are waiting. Small sends are copied onto the last buffer;
/// large ones keep their own buffer, so nothing big is copied twice.
///
/// An empty queue holds no memory. Its first buffer comes from the event loop's spare buffers and
/// goes back as soon as the queue drains (`settle`), so an idle connection keeps nothing here and
/// replies queued during a batch (see `TcpConnection.isCorked`) allocate nothing; bytes that stay
/// queued (the kernel's buffer is full) move to a buffer of their own size.
struct SendQueue {
    /// The oldest queued bytes; nil when nothing is queued.
    private var first: ByteBuffer?
    /// Buffers after `first`, oldest first: a large send, or bytes queued after `first` filled up.
    private var more: [ByteBuffer] = []
    /// The number of queued bytes.
    private(set) var byteCount = 0

    /// Appends above this size start a buffer of their own instead of growing the last one.
    static let coalesceLimit = 64 * 1024
    /// At most this many buffers go into one sendmsg.
    static let maxVectors = 64
    /// The size a buffer of its own starts at.
    static let minimumBuffer = 4096

    @inline(__always) var isEmpty: Bool { byteCount == 0 }

    // MARK: appending

    /// Appends `bytes`' unread bytes: small ones are copied onto the last buffer (while it stays
    /// under `coalesceLimit`; into one of `loop`'s spare buffers when nothing is queued), a large
    /// one hands its storage over and leaves `bytes` empty.
    @inline(__always)
    mutating func append(copying bytes: inout ByteBuffer, _ loop: EventLoop? = nil) {
        let count = bytes.readableBytes
        if more.isEmpty, first != nil, first!.writerIndex + count <= Self.coalesceLimit {
            first!.writeBuffer(bytes)
            byteCount += count
            return
        }
        appendSlowly(copying: &bytes, loop)
    }

    private mutating func appendSlowly(copying bytes: inout ByteBuffer, _ loop: EventLoop?) {
        let count = bytes.readableBytes
        guard count > 0 else { return }
        byteCount += count
        if count > Self.coalesceLimit {
            if first == nil { first = bytes } else { more.append(bytes) }
            bytes = ByteBuffer()
        } else if first == nil {
            var buffer = loop?.takeSpare() ?? ByteBuffer(capacity: max(count, Self.minimumBuffer))
            buffer.writeBuffer(bytes)
            first = buffer
        } else if let last = more.last, last.writerIndex + count <= Self.coalesceLimit {
            more[more.count - 1].writeBuffer(bytes)
        } else {
            more.append(ByteBuffer(copyingReadableBytesOf: bytes))
        }
    }

    // MARK: writing

    /// Writes as much as the kernel takes. Returns `.processed(true)` when the queue is empty
    /// afterwards, `.processed(false)` or `.wouldBlock` when bytes are left (a short write means
    /// the kernel's buffer is full: wait for the socket to become writable).
    mutating func flush(to fd: Int32, through security: TransportSecuritySession? = nil) throws -> IOResult<Bool> {
        if let security { return try flush(through: security) }
        while !isEmpty {
            let count = min(more.count + 1, Self.maxVectors)
            let result: IOResult<Int>
            var offered = 0
            if count == 1 {
                offered = first!.readableBytes
                result = try first!.withReadableBytes { bytes throws(SyscallError) in try Sys.send(fd, bytes) }
            } else {
                result = try withUnsafeTemporaryAllocation(of: iovec.self, capacity: count) {
                    vectors throws(SyscallError) -> IOResult<Int> in
                    for index in 0..<count {
                        let buffer = index == 0 ? first! : more[index - 1]
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
            let offered = first!.readableBytes
            let result = try security.write(UnsafeRawBufferPointer(start: first!.readablePointer, count: offered))
            guard case .processed(let written) = result else { return .wouldBlock }
            consume(written)
            if written < offered { return .processed(false) }
        }
        return .processed(true)
    }

    /// After a flush: an empty queue gives its buffer back to `loop` (an idle connection holds
    /// nothing); a few bytes left in a large buffer (a spare one of the loop's) move to one of their
    /// own size, and the large one goes back.
    @inline(__always)
    mutating func settle(_ loop: EventLoop) {
        guard first != nil else { return }
        if isEmpty {
            loop.recycle(first.take()!)
            more = []
        } else if first!.capacity > 2 * max(first!.readableBytes, Self.minimumBuffer) {
            let buffer = first.take()!
            first = ByteBuffer(copyingReadableBytesOf: buffer)
            loop.recycle(buffer)
        }
    }

    /// The memory the queued buffers hold (for tests of the queue's growth).
    var storedCapacity: Int { (first?.capacity ?? 0) + more.reduce(0) { $0 + $1.capacity } }

    /// Forgets everything queued.
    mutating func removeAll() {
        first = nil
        more = []
        byteCount = 0
    }

    /// Drops `count` written bytes from the front.
    private mutating func consume(_ count: Int) {
        var left = count
        byteCount -= count
        var drained = 0
        while left > 0 {
            let available = first!.readableBytes
            if left < available {
                first!.moveReaderIndex(forwardBy: left)
                break
            }
            left -= available
            if drained < more.count {
                first = more[drained]
                drained += 1
            } else {
                first!.clear()  // kept for `settle` to give back
            }
        }
        if drained > 0 { more.removeFirst(drained) }
    }
}

extension ByteBuffer {
    /// A buffer of its own (at least `SendQueue.minimumBuffer`) holding `other`'s unread bytes.
    init(copyingReadableBytesOf other: ByteBuffer) {
        self.init(capacity: max(other.readableBytes, SendQueue.minimumBuffer))
        writeBuffer(other)
    }
}
