import WorkermanCore

/// Writes values in MessagePack (https://msgpack.org), the encoding inside every Channel and
/// GlobalData frame. Always the shortest form: fixint / fixstr / fixarray / fixmap where they fit.
///
/// Why MessagePack: binary-safe without escaping (event data may be any bytes), exact 64-bit
/// integers (JSON loses them past 2^53), a length before every string, list and map so a reader
/// never scans for delimiters and a server can skip a payload it only forwards, no Foundation
/// needed, and a public spec with libraries in every language, PHP included, so other programs
/// can speak the protocol.
package enum MessagePackWriter {
    /// Appends `value`.
    package static func write(_ value: Value, into buffer: inout ByteBuffer) {
        switch value {
        case .null: buffer.writeInteger(UInt8(0xc0))
        case .bool(let flag): buffer.writeInteger(UInt8(flag ? 0xc3 : 0xc2))
        case .int(let number): writeInteger(number, into: &buffer)
        case .double(let number):
            buffer.writeInteger(UInt8(0xcb))
            buffer.writeInteger(number.bitPattern)
        case .string(let text): writeString(text, into: &buffer)
        case .bytes(let bytes):
            writeHeader(count: bytes.count, small: nil, codes: (0xc4, 0xc5, 0xc6), into: &buffer)
            buffer.writeBytes(bytes)
        case .array(let elements):
            writeArrayHeader(count: elements.count, into: &buffer)
            for element in elements { write(element, into: &buffer) }
        case .object(let members):
            writeHeader(count: members.count, small: (0x80, 16), codes: (nil, 0xde, 0xdf), into: &buffer)
            for (key, member) in members {
                writeString(key, into: &buffer)
                write(member, into: &buffer)
            }
        }
    }

    /// Appends an integer.
    package static func writeInteger(_ number: Int64, into buffer: inout ByteBuffer) {
        if number >= 0 && number < 128 {
            buffer.writeInteger(UInt8(number))
        } else if number < 0 && number >= -32 {
            buffer.writeInteger(Int8(number))
        } else if let small = Int16(exactly: number) {
            buffer.writeInteger(UInt8(0xd1))
            buffer.writeInteger(small)
        } else if let medium = Int32(exactly: number) {
            buffer.writeInteger(UInt8(0xd2))
            buffer.writeInteger(medium)
        } else {
            buffer.writeInteger(UInt8(0xd3))
            buffer.writeInteger(number)
        }
    }

    /// Appends a string.
    package static func writeString(_ text: String, into buffer: inout ByteBuffer) {
        writeHeader(count: text.utf8.count, small: (0xa0, 32), codes: (0xd9, 0xda, 0xdb), into: &buffer)
        buffer.writeString(text)
    }

    /// Appends the header of an array of `count` elements (the elements follow).
    package static func writeArrayHeader(count: Int, into buffer: inout ByteBuffer) {
        writeHeader(count: count, small: (0x90, 16), codes: (nil, 0xdc, 0xdd), into: &buffer)
    }

    /// A length header: the fix form `small.base | count` when `count < small.limit`, else the
    /// 8-, 16- or 32-bit form (`codes`; a nil 8-bit code means the type has none).
    private static func writeHeader(
        count: Int, small: (base: UInt8, limit: Int)?, codes: (UInt8?, UInt8, UInt8), into buffer: inout ByteBuffer
    ) {
        if let small, count < small.limit {
            buffer.writeInteger(small.base | UInt8(count))
        } else if let code8 = codes.0, count <= 0xff {
            buffer.writeInteger(code8)
            buffer.writeInteger(UInt8(count))
        } else if count <= 0xffff {
            buffer.writeInteger(codes.1)
            buffer.writeInteger(UInt16(count))
        } else {
            buffer.writeInteger(codes.2)
            buffer.writeInteger(UInt32(count))
        }
    }
}
