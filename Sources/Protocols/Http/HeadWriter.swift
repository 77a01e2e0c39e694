/// Writes a response head into memory reserved for it beforehand (`writeHead` measures first), with
/// no capacity or uniqueness check per piece.
struct HeadWriter {
    private let base: UnsafeMutableRawPointer
    /// The bytes written so far.
    private(set) var count = 0

    init(_ base: UnsafeMutableRawPointer) { self.base = base }

    @inline(__always)
    mutating func put(_ text: StaticString) {
        (base + count).copyMemory(from: text.utf8Start, byteCount: text.utf8CodeUnitCount)
        count += text.utf8CodeUnitCount
    }

    /// The UTF-8 of `text` (named apart from `put(_: StaticString)`, which a literal would not pick).
    @inline(__always)
    mutating func put(string text: String) {
        // Lent without a copy of the String (a small string's bytes are copied to the stack).
        let copied: Void? = text.utf8.withContiguousStorageIfAvailable { bytes in
            guard let start = bytes.baseAddress else { return }
            (base + count).copyMemory(from: start, byteCount: bytes.count)
            count += bytes.count
        }
        if copied == nil {
            var text = text
            text.withUTF8 { bytes in
                guard let start = bytes.baseAddress else { return }
                (base + count).copyMemory(from: start, byteCount: bytes.count)
                count += bytes.count
            }
        }
    }

    mutating func put(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { raw in
            guard let start = raw.baseAddress else { return }
            (base + count).copyMemory(from: start, byteCount: raw.count)
            count += raw.count
        }
    }

    /// The bytes at `bytes`.
    @inline(__always)
    mutating func put(_ bytes: UnsafeRawBufferPointer) {
        guard let start = bytes.baseAddress else { return }
        (base + count).copyMemory(from: start, byteCount: bytes.count)
        count += bytes.count
    }

    /// `value` in decimal digits (at most 20 bytes).
    @inline(__always)
    mutating func putDecimal(_ value: Int) {
        if value >= 0 && value < 100 {
            if value >= 10 {
                base.storeBytes(of: UInt8(truncatingIfNeeded: 0x30 &+ value / 10), toByteOffset: count, as: UInt8.self)
                count &+= 1
            }
            base.storeBytes(of: UInt8(truncatingIfNeeded: 0x30 &+ value % 10), toByteOffset: count, as: UInt8.self)
            count &+= 1
            return
        }
        putLongDecimal(value)
    }

    private mutating func putLongDecimal(_ value: Int) {
        guard value >= 0 else { return put(string: String(value)) }
        var digits = 1
        var limit: UInt = 10
        while UInt(value) >= limit && digits < 19 {
            digits &+= 1
            limit &*= 10
        }
        var remaining = UInt(value)
        var index = count &+ digits
        repeat {
            index &-= 1
            base.storeBytes(of: UInt8(truncatingIfNeeded: 0x30 &+ remaining % 10), toByteOffset: index, as: UInt8.self)
            remaining /= 10
        } while remaining > 0
        count &+= digits
    }
}
