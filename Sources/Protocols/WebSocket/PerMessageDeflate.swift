import CWorkermanZlib
import WorkermanCore

/// The permessage-deflate extension (RFC 7692) on one connection: a raw-deflate compressor for
/// what it sends and a decompressor for what it receives, each reset after every message when
/// the negotiated "no context takeover" parameter says so.
final class PerMessageDeflate {
    /// What decompressing a message gave.
    enum Inflated {
        case bytes([UInt8])
        case tooLarge
        case corrupt
    }

    /// Reset the compressor after each message (our side gave up context takeover).
    let resetsCompressor: Bool
    /// Reset the decompressor after each message (the peer gave up context takeover).
    let resetsDecompressor: Bool
    private let compressor = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
    private let decompressor = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
    private static let tail: [UInt8] = [0x00, 0x00, 0xFF, 0xFF]

    /// Streams with `windowBits` (9...15) for compression; nil when zlib cannot make them.
    init?(windowBits: Int, resetsCompressor: Bool, resetsDecompressor: Bool) {
        self.resetsCompressor = resetsCompressor
        self.resetsDecompressor = resetsDecompressor
        compressor.initialize(to: z_stream())
        decompressor.initialize(to: z_stream())
        let deflateStatus = czlib_deflate_init2(compressor, Z_DEFAULT_COMPRESSION, -Int32(max(9, windowBits)))
        let inflateStatus = czlib_inflate_init2(decompressor, -15)
        guard deflateStatus == Z_OK, inflateStatus == Z_OK else {
            if deflateStatus == Z_OK { deflateEnd(compressor) }
            if inflateStatus == Z_OK { inflateEnd(decompressor) }
            compressor.deallocate()
            decompressor.deallocate()
            return nil
        }
    }

    deinit {
        deflateEnd(compressor)
        inflateEnd(decompressor)
        compressor.deallocate()
        decompressor.deallocate()
    }

    /// Appends `payload` compressed, without the 00 00 FF FF tail of the sync flush (RFC 7692 §7.2.1).
    func compress(_ payload: UnsafeRawBufferPointer, into buffer: inout ByteBuffer) {
        let start = buffer.writerIndex
        let input = payload.baseAddress.map { UnsafeMutablePointer(mutating: $0.assumingMemoryBound(to: UInt8.self)) }
        compressor.pointee.next_in = input
        compressor.pointee.avail_in = UInt32(payload.count)
        repeat {
            _ = buffer.writeWithUnsafeMutableBytes(minimumWritable: max(64, payload.count / 2 + 16)) { space in
                compressor.pointee.next_out = space.baseAddress!.assumingMemoryBound(to: UInt8.self)
                compressor.pointee.avail_out = UInt32(space.count)
                deflate(compressor, Z_SYNC_FLUSH)
                return space.count - Int(compressor.pointee.avail_out)
            }
        } while compressor.pointee.avail_out == 0 || compressor.pointee.avail_in > 0
        if buffer.writerIndex - start >= 4 { buffer.truncate(toWriterIndex: buffer.writerIndex - 4) }
        if resetsCompressor { deflateReset(compressor) }
    }

    /// The message compressed in `payload`, or why not; refuses output longer than `limit`.
    func decompress(_ payload: [UInt8], limit: Int) -> Inflated {
        var output: [UInt8] = []
        var status = Z_OK
        for part in [payload, PerMessageDeflate.tail] {
            status = part.withUnsafeBytes { inflate($0, into: &output, limit: limit) }
            if status != Z_OK && status != Z_BUF_ERROR { break }
        }
        if resetsDecompressor { inflateReset(decompressor) }
        if output.count > limit { return .tooLarge }
        guard status == Z_OK || status == Z_BUF_ERROR else { return .corrupt }
        return .bytes(output)
    }

    private func inflate(_ input: UnsafeRawBufferPointer, into output: inout [UInt8], limit: Int) -> Int32 {
        guard let base = input.baseAddress else { return Z_OK }
        decompressor.pointee.next_in = UnsafeMutablePointer(mutating: base.assumingMemoryBound(to: UInt8.self))
        decompressor.pointee.avail_in = UInt32(input.count)
        var status = Z_OK
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        repeat {
            let produced = chunk.withUnsafeMutableBytes { space -> Int in
                decompressor.pointee.next_out = space.baseAddress!.assumingMemoryBound(to: UInt8.self)
                decompressor.pointee.avail_out = UInt32(space.count)
                status = CWorkermanZlib.inflate(decompressor, Z_SYNC_FLUSH)
                return space.count - Int(decompressor.pointee.avail_out)
            }
            output += chunk[0..<produced]
            if output.count > limit { return Z_OK }
        } while status == Z_OK && (decompressor.pointee.avail_in > 0 || decompressor.pointee.avail_out == 0)
        return status == Z_STREAM_END ? Z_OK : status
    }
}
