/// Checks UTF-8 incrementally, so a text message split over frames (or over deflate output) is
/// refused at the first bad byte and a sequence cut at a frame boundary is accepted.
///
/// Rejects overlong forms, surrogates (U+D800...U+DFFF) and code points above U+10FFFF, as RFC 3629
/// requires.
struct UTF8Validator {
    /// Continuation bytes still expected for the current sequence.
    private var remaining: UInt8 = 0
    /// The range the next continuation byte must fall in (narrower after E0, ED, F0 and F4).
    private var lowest: UInt8 = 0x80
    private var highest: UInt8 = 0xBF

    /// True when no sequence is left unfinished.
    var isComplete: Bool { remaining == 0 }

    /// Checks `bytes` as the continuation of what was checked before; false at the first bad byte.
    mutating func validate(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var index = 0
        let count = bytes.count
        while index < count {
            if remaining == 0 {
                while index + 8 <= count,
                    bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self) & 0x8080_8080_8080_8080 == 0
                {
                    index += 8
                }
                guard index < count else { break }
                let byte = bytes[index]
                index += 1
                if byte < 0x80 { continue }
                guard begin(byte) else { return false }
            } else {
                let byte = bytes[index]
                index += 1
                guard byte >= lowest && byte <= highest else { return false }
                remaining -= 1
                lowest = 0x80
                highest = 0xBF
            }
        }
        return true
    }

    /// Starts a multi-byte sequence at lead byte `byte`; false when no sequence starts that way.
    private mutating func begin(_ byte: UInt8) -> Bool {
        switch byte {
        case 0xC2...0xDF: expect(1, 0x80, 0xBF)
        case 0xE0: expect(2, 0xA0, 0xBF)
        case 0xE1...0xEC, 0xEE...0xEF: expect(2, 0x80, 0xBF)
        case 0xED: expect(2, 0x80, 0x9F)
        case 0xF0: expect(3, 0x90, 0xBF)
        case 0xF1...0xF3: expect(3, 0x80, 0xBF)
        case 0xF4: expect(3, 0x80, 0x8F)
        default: return false
        }
        return true
    }

    private mutating func expect(_ count: UInt8, _ low: UInt8, _ high: UInt8) {
        remaining = count
        lowest = low
        highest = high
    }

    /// True when `bytes` are complete, valid UTF-8.
    static func isValid(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var validator = UTF8Validator()
        return validator.validate(bytes) && validator.isComplete
    }
}
