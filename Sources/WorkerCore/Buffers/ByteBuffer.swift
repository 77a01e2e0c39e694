import Glibc

/// A growable byte buffer with a read index: bytes are appended at the end and consumed from the
/// front in place, without moving what is left. Value semantics (copy on write).
///
/// Protocols encode into one (`WireProtocol.encode`), connections queue them for sending and keep
/// the unparsed part of what they received in one.
public struct ByteBuffer {
    @usableFromInline
    final class Storage {
        // Used by ByteBuffer alone, which never holds an access to them across other code: their
        // run-time exclusivity checks (made on every write) are skipped.
        @usableFromInline @exclusivity(unchecked) var bytes: UnsafeMutableRawPointer
        @usableFromInline @exclusivity(unchecked) var capacity: Int

        @usableFromInline
        init(capacity: Int) {
            self.capacity = capacity
            bytes = malloc(max(capacity, 1))!
        }

        func grow(to newCapacity: Int) {
            bytes = realloc(bytes, newCapacity)!
            capacity = newCapacity
        }

        func copy(upTo end: Int, capacity: Int) -> Storage {
            let storage = Storage(capacity: max(capacity, end))
            storage.bytes.copyMemory(from: bytes, byteCount: end)
            return storage
        }

        deinit { free(bytes) }
    }

    // The hot writing and reading functions are inlinable, so that protocols in other modules get
    // them specialised and inlined (a generic `writeInteger` called across modules costs more than
    // the bytes it writes).
    @usableFromInline var storage: Storage
    @usableFromInline var _readerIndex = 0
    @usableFromInline var _writerIndex = 0

    /// Where the unread bytes start.
    @inlinable public var readerIndex: Int { _readerIndex }
    /// Where the next written byte goes.
    @inlinable public var writerIndex: Int { _writerIndex }

    /// An empty buffer with room for `capacity` bytes before it grows.
    public init(capacity: Int = 0) {
        storage = capacity == 0 ? Self.emptyStorage : Storage(capacity: capacity)
    }

    /// The storage every buffer made without a capacity starts with: an empty buffer allocates
    /// nothing (a connection keeps a few); the first write copies it, as it is never unique.
    nonisolated(unsafe) private static let emptyStorage = Storage(capacity: 0)  // never written to

    /// A buffer holding `bytes`.
    public init(_ bytes: some Sequence<UInt8>) {
        self.init(capacity: bytes.underestimatedCount)
        writeBytes(bytes)
    }

    /// A buffer holding the UTF-8 of `string`.
    public init(string: String) {
        self.init(capacity: string.utf8.count)
        writeString(string)
    }

    /// The number of bytes not yet read.
    @inlinable public var readableBytes: Int { _writerIndex - _readerIndex }

    /// True when every byte has been read.
    @inlinable public var isEmpty: Bool { _writerIndex == _readerIndex }

    /// The bytes the buffer holds in total before it must grow.
    @inlinable public var capacity: Int { storage.capacity }

    // MARK: writing

    /// Makes room for `count` more bytes at the end (and makes the storage unique). Indexes stay
    /// valid: nothing already written moves.
    @inlinable @inline(__always)
    public mutating func reserveWritable(_ count: Int) {
        if _writerIndex + count <= storage.capacity && isKnownUniquelyReferenced(&storage) { return }
        reserveWritableSlowly(count)
    }

    @usableFromInline
    mutating func reserveWritableSlowly(_ count: Int) {
        let needed = writerIndex + count
        if !isKnownUniquelyReferenced(&storage) {
            storage = storage.copy(upTo: writerIndex, capacity: max(needed, storage.capacity))
        }
        guard needed > storage.capacity else { return }
        var newCapacity = max(storage.capacity, 64)
        while newCapacity < needed { newCapacity *= 2 }
        storage.grow(to: newCapacity)
    }

    /// Appends raw bytes.
    @inlinable @inline(__always)
    public mutating func writeBytes(_ bytes: UnsafeRawBufferPointer) {
        guard bytes.count > 0 else { return }
        reserveWritable(bytes.count)
        (storage.bytes + _writerIndex).copyMemory(from: bytes.baseAddress!, byteCount: bytes.count)
        _writerIndex += bytes.count
    }

    /// Appends a sequence of bytes.
    @inlinable @inline(__always)
    public mutating func writeBytes(_ bytes: some Sequence<UInt8>) {
        if let done: Void = bytes.withContiguousStorageIfAvailable({ writeBytes(UnsafeRawBufferPointer($0)) }) {
            return done
        }
        for byte in bytes { writeInteger(byte) }
    }

    /// Appends another buffer's unread bytes.
    @inlinable @inline(__always)
    public mutating func writeBuffer(_ other: ByteBuffer) {
        other.withReadableBytes { writeBytes($0) }
    }

    /// Appends the UTF-8 bytes of `string`.
    @inlinable @inline(__always)
    public mutating func writeString(_ string: String) {
        // Native strings lend their UTF-8 without a copy; bridged or small ones take the slow path.
        let done: Void? = string.utf8.withContiguousStorageIfAvailable { writeBytes(UnsafeRawBufferPointer($0)) }
        if done == nil {
            var copy = string
            copy.withUTF8 { writeBytes(UnsafeRawBufferPointer($0)) }
        }
    }

    /// Appends an integer in big-endian (network) byte order, or little-endian when asked.
    @inlinable @inline(__always)
    public mutating func writeInteger<T: FixedWidthInteger>(_ value: T, bigEndian: Bool = true) {
        let size = MemoryLayout<T>.size
        reserveWritable(size)
        (storage.bytes + _writerIndex).storeBytes(of: bigEndian ? value.bigEndian : value.littleEndian, as: T.self)
        _writerIndex += size
    }

    /// Lets `body` write up to `count` bytes straight into the buffer's free space (as `read()` does);
    /// `body` returns how many it wrote.
    @inlinable @inline(__always)
    public mutating func writeWithUnsafeMutableBytes(
        minimumWritable count: Int, _ body: (UnsafeMutableRawBufferPointer) throws -> Int
    ) rethrows -> Int {
        reserveWritable(count)
        let space = UnsafeMutableRawBufferPointer(
            start: storage.bytes + _writerIndex, count: storage.capacity - _writerIndex)
        let written = try body(space)
        precondition(written >= 0 && written <= space.count, "wrote outside the buffer")
        _writerIndex += written
        return written
    }

    /// Drops bytes written after `index` (a writer index taken earlier), undoing a failed encode.
    public mutating func truncate(toWriterIndex index: Int) {
        precondition(index >= readerIndex && index <= writerIndex)
        _writerIndex = index
    }

    // MARK: reading

    /// Calls `body` with the unread bytes. The pointer is valid only inside `body`.
    @inlinable @inline(__always)
    public func withReadableBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(start: storage.bytes + _readerIndex, count: readableBytes))
    }

    /// Marks `count` bytes as read.
    @inlinable @inline(__always)
    public mutating func moveReaderIndex(forwardBy count: Int) {
        precondition(count >= 0 && count <= readableBytes, "cannot consume \(count) of \(readableBytes) bytes")
        _readerIndex += count
        if _readerIndex == _writerIndex {
            _readerIndex = 0
            _writerIndex = 0
        }
    }

    /// Forgets every byte, keeping the capacity.
    @inlinable
    public mutating func clear() {
        _readerIndex = 0
        _writerIndex = 0
    }

    /// The unread bytes as an array (a copy).
    public var readableBytesArray: [UInt8] { withReadableBytes { Array($0) } }

    /// The unread bytes decoded as UTF-8 (invalid sequences become U+FFFD).
    public var readableString: String { withReadableBytes { String(decoding: $0, as: UTF8.self) } }

    /// Moves the unread bytes to the front so the freed space at the start can be reused. Indexes
    /// taken before are invalid afterwards.
    public mutating func compact() {
        guard readerIndex > 0 else { return }
        reserveWritable(0)
        let count = readableBytes
        if count > 0 { storage.bytes.copyMemory(from: storage.bytes + readerIndex, byteCount: count) }
        _readerIndex = 0
        _writerIndex = count
    }

    func bytesPointer(at index: Int) -> UnsafeMutableRawPointer { storage.bytes + index }

    /// Where the unread bytes start; stable while this buffer holds its storage and is not written.
    var readablePointer: UnsafeRawPointer { UnsafeRawPointer(storage.bytes + readerIndex) }
}

extension ByteBuffer {
    /// Overwrites already written bytes at `index` (an absolute writer position) with `value`,
    /// big-endian: for length headers filled in after the payload.
    public mutating func setInteger<T: FixedWidthInteger>(_ value: T, at index: Int, bigEndian: Bool = true) {
        precondition(
            index >= readerIndex && index + MemoryLayout<T>.size <= writerIndex, "setInteger outside the written bytes")
        reserveWritable(0)  // unique storage; indexes do not move
        var ordered = bigEndian ? value.bigEndian : value.littleEndian
        withUnsafeBytes(of: &ordered) { bytesPointer(at: index).copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
    }
}
