import Workerman
import XCTest

@testable import WorkermanProtocols

/// The handshake's pieces: the HTTP head parser, SHA-1 and base64 for the accept value, UTF-8
/// validation, and the permessage-deflate negotiation and streams.
final class WebSocketHandshakeTests: XCTestCase {
    func testHeadParsingAndFieldLookup() {
        let raw = Array(
            "GET /a?b=c HTTP/1.1\r\nHost: x\r\nConnection: keep-alive, Upgrade\r\nX-A: 1\r\nx-a: 2\r\n\r\n".utf8)
        raw.withUnsafeBytes { buffer in
            let view = ByteView(buffer)
            XCTAssertEqual(HTTPHead.length(in: view), raw.count)
            XCTAssertNil(HTTPHead.length(in: view.slice(0..<(raw.count - 1))))
            let head = HTTPHead(view)
            XCTAssertEqual(head?.startLine, "GET /a?b=c HTTP/1.1")
            XCTAssertEqual(head?.value(of: "x-a"), "1, 2")
            XCTAssertEqual(head?.lists("upgrade", in: "connection"), true)
            XCTAssertEqual(head?.lists("close", in: "connection"), false)
        }
        Array("GET / HTTP/1.1\r\nno colon here\r\n\r\n".utf8).withUnsafeBytes { XCTAssertNil(HTTPHead(ByteView($0))) }
    }

    func testAcceptValueOfTheRFCSample() {
        XCTAssertEqual(
            WebSocketServerHandshake.acceptValue(for: "dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")
        XCTAssertEqual(
            SHA1.digest(Array("abc".utf8)).map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined(),
            "a9993e364706816aba3e25717850c26c9cd0d89d")
        XCTAssertEqual(SHA1.digest(Array(repeating: 0x61, count: 1_000)).count, 20)
        XCTAssertEqual(Base64.encode(Array("any carnal pleas".utf8)), "YW55IGNhcm5hbCBwbGVhcw==")
        XCTAssertEqual(Base64.decodedLength(of: "dGhlIHNhbXBsZSBub25jZQ=="), 16)
        XCTAssertNil(Base64.decodedLength(of: "not base64!"))
    }

    func testUTF8ValidationAcrossChunks() {
        func valid(_ chunks: [[UInt8]]) -> Bool {
            var validator = UTF8Validator()
            for chunk in chunks where !chunk.withUnsafeBytes({ validator.validate($0) }) { return false }
            return validator.isComplete
        }
        let snowman: [UInt8] = [0xE2, 0x98, 0x83]
        XCTAssertTrue(valid([Array("plain ascii, long enough for the fast path".utf8)]))
        XCTAssertTrue(valid([[0xE2], [0x98], [0x83]]))
        XCTAssertTrue(valid([Array("abcdefghij".utf8) + snowman]))
        XCTAssertFalse(valid([[0xE2, 0x98]]), "unfinished")
        XCTAssertFalse(valid([[0xC0, 0x80]]), "overlong")
        XCTAssertFalse(valid([[0xED, 0xA0, 0x80]]), "surrogate")
        XCTAssertFalse(valid([[0xF4, 0x90, 0x80, 0x80]]), "above U+10FFFF")
        XCTAssertFalse(valid([[0xF0, 0x9F], [0x41]]), "bad continuation in the next chunk")
        XCTAssertTrue(valid([[0xF0, 0x9F], [0x8E, 0x89]]))
    }

    func testDeflateNegotiation() {
        let accepted = PerMessageDeflateNegotiation.accept(
            offers: "x-webkit-deflate-frame, permessage-deflate; server_max_window_bits=8, "
                + "permessage-deflate; client_max_window_bits; server_no_context_takeover",
            noContextTakeover: false)
        XCTAssertEqual(accepted?.1, "permessage-deflate; server_no_context_takeover")
        XCTAssertNil(PerMessageDeflateNegotiation.accept(offers: "permessage-deflate; foo", noContextTakeover: false))
        XCTAssertNil(
            PerMessageDeflateNegotiation.accept(
                offers: "permessage-deflate; server_no_context_takeover; server_no_context_takeover",
                noContextTakeover: false))
        XCTAssertEqual(
            PerMessageDeflateNegotiation.accept(offers: "permessage-deflate", noContextTakeover: true)?.1,
            "permessage-deflate; server_no_context_takeover")
        XCTAssertNoThrow(
            try PerMessageDeflateNegotiation.confirm(answer: "permessage-deflate; client_max_window_bits=10"))
        XCTAssertThrowsError(try PerMessageDeflateNegotiation.confirm(answer: "permessage-deflate; bogus"))
    }

    func testDeflateRoundTripWithAndWithoutContextTakeover() {
        for resets in [false, true] {
            guard let sender = PerMessageDeflate(windowBits: 15, resetsCompressor: resets, resetsDecompressor: resets),
                let receiver = PerMessageDeflate(windowBits: 15, resetsCompressor: resets, resetsDecompressor: resets)
            else { return XCTFail("zlib") }
            for message in ["", "hello hello hello hello", String(repeating: "abc", count: 100_000)] {
                var compressed = ByteBuffer()
                Array(message.utf8).withUnsafeBytes { sender.compress($0, into: &compressed) }
                guard case .bytes(let inflated) = receiver.decompress(compressed.readableBytesArray, limit: 1 << 20)
                else { return XCTFail("inflate failed") }
                XCTAssertEqual(String(decoding: inflated, as: UTF8.self), message)
            }
            var bomb = ByteBuffer()
            Array(repeating: UInt8(0), count: 1 << 20).withUnsafeBytes { sender.compress($0, into: &bomb) }
            guard case .tooLarge = receiver.decompress(bomb.readableBytesArray, limit: 1000) else {
                return XCTFail("a decompression bomb must stop at the limit")
            }
        }
        guard let receiver = PerMessageDeflate(windowBits: 15, resetsCompressor: false, resetsDecompressor: false),
            case .corrupt = receiver.decompress([0xFF, 0xFF, 0xFF], limit: 1000)
        else { return XCTFail("corrupt input must be reported") }
    }
}
