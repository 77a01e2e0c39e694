import Glibc

/// A read-only view of received bytes, handed to a protocol's `input` and `decode`.
///
/// It points into the connection's receive buffer: use it inside the call, and copy what you keep
/// (`bytes`, `string`, `slice(...).bytes`).
public struct ByteView: RandomAccessCollection {
    /// The viewed memory.
    public let buffer: UnsafeRawBufferPointer

    /// A view of `buffer`.
    @inlinable
    public init(_ buffer: UnsafeRawBufferPointer) { self.buffer = buffer }

    /// 0.
    @inlinable
    public var startIndex: Int { 0 }
    /// The number of bytes.
    @inlinable
    public var endIndex: Int { buffer.count }
    /// The byte at `position`.
    @inlinable
    public subscript(position: Int) -> UInt8 { buffer[position] }

    /// The bytes in `range`, as a view of the same memory (indexes start at 0 again).
    @inlinable
    public func slice(_ range: Range<Int>) -> ByteView {
        ByteView(UnsafeRawBufferPointer(rebasing: buffer[range]))
    }

    /// The bytes from `start` to the end.
    @inlinable
    public func dropping(first count: Int) -> ByteView { slice(Swift.min(count, self.count)..<self.count) }

    /// The index of the first `byte` at or after `start`, found with memchr.
    @inlinable @inline(__always)
    public func firstIndex(of byte: UInt8, from start: Int = 0) -> Int? {
        guard start < count, let base = buffer.baseAddress else { return nil }
        guard let found = memchr(base + start, Int32(byte), count - start) else { return nil }
        return UnsafeRawPointer(found) - base
    }

    /// A big-endian unsigned integer of `T`'s size starting at `offset`; nil when the bytes are not all there.
    @inline(__always)
    public func readInteger<T: FixedWidthInteger>(at offset: Int = 0, as type: T.Type = T.self, bigEndian: Bool = true)
        -> T?
    {
        let size = MemoryLayout<T>.size
        guard offset >= 0, offset + size <= count else { return nil }
        let value = buffer.loadUnaligned(fromByteOffset: offset, as: T.self)
        return bigEndian ? T(bigEndian: value) : T(littleEndian: value)
    }

    /// True when the view begins with `prefix`.
    public func starts(with prefix: String) -> Bool {
        var prefix = prefix
        return prefix.withUTF8 { bytes in
            bytes.count <= count && memcmp(buffer.baseAddress!, bytes.baseAddress!, bytes.count) == 0
        }
    }

    /// A copy of the bytes.
    public var bytes: [UInt8] { Array(buffer) }

    /// The bytes decoded as UTF-8 (invalid sequences become U+FFFD).
    @inlinable
    public var string: String { String(decoding: buffer, as: UTF8.self) }

    /// The bytes as UTF-8, or nil when they are not valid UTF-8.
    public var validatedString: String? { String(validating: buffer, as: UTF8.self) }
}
