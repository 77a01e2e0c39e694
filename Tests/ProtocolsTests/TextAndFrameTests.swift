import Workerman
import XCTest

final class TextAndFrameTests: XCTestCase {
    private func frame(_ payload: [UInt8]) -> [UInt8] {
        var buffer = ByteBuffer()
        try! Frame.encode(.binary(payload), connection: TcpConnection.unconnected(protocol: Frame.self), into: &buffer)
        return buffer.readableBytesArray
    }

    func testTextDecodesEveryLineInAnySplit() {
        let input = Array("hello\r\nworld\n\nlast line\r\n".utf8) + Array("unicode ✓ 漢字\n".utf8)
        let expected: [Message] = ["hello", "world", "", "last line", "unicode ✓ 漢字"]
        XCTAssertEqual(WireProtocolVerifier.verify(Text.self, input: input, expecting: expected), [])
    }

    func testTextKeepsAnUnfinishedTail() {
        let input = Array("done\nnot yet".utf8)
        XCTAssertEqual(WireProtocolVerifier.verify(Text.self, input: input, expecting: ["done"], leftover: 7), [])
    }

    func testTextRefusesALineThatReachesMaxPackageSize() {
        let outcome = WireProtocolVerifier.feed(
            Text.self, chunks: [Array(repeating: 0x41, count: 100)], maxPackageSize: 64)
        XCTAssertNotNil(outcome.error)
        let fits = WireProtocolVerifier.feed(Text.self, chunks: [Array(repeating: 0x41, count: 63)], maxPackageSize: 64)
        XCTAssertNil(fits.error)
        XCTAssertEqual(fits.leftover, 63)
    }

    func testTextEncodeAppendsANewline() throws {
        var buffer = ByteBuffer()
        try Text.encode("hi", connection: TcpConnection.unconnected(protocol: Text.self), into: &buffer)
        XCTAssertEqual(buffer.readableString, "hi\n")
    }

    func testFrameWireFormat() {
        XCTAssertEqual(frame([]), [0, 0, 0, 4], "an empty payload is the header alone")
        XCTAssertEqual(frame([0x61, 0x62]), [0, 0, 0, 6, 0x61, 0x62])
    }

    func testFrameDecodesEveryFrameInAnySplit() {
        let payloads: [[UInt8]] = [[], [1], Array("text".utf8), (0..<1000).map { UInt8($0 % 256) }]
        let input = payloads.flatMap(frame)
        XCTAssertEqual(
            WireProtocolVerifier.verify(Frame.self, input: input, expecting: payloads.map { .binary($0) }), [])
    }

    func testFrameRefusesLengthsBelowItsHeaderAndOverTheLimit() {
        for length: UInt8 in 0..<4 {
            let outcome = WireProtocolVerifier.feed(Frame.self, chunks: [[0, 0, 0, length]])
            XCTAssertNotNil(outcome.error, "length \(length)")
        }
        let huge = WireProtocolVerifier.feed(Frame.self, chunks: [[0xff, 0xff, 0xff, 0xff]])
        XCTAssertNotNil(huge.error, "4 GiB is over the 10 MiB default")
        let truncated = WireProtocolVerifier.feed(Frame.self, chunks: [[0, 0, 0, 10, 1, 2]])
        XCTAssertNil(truncated.error)
        XCTAssertEqual(truncated.leftover, 6, "a truncated frame waits")
    }

    func testRandomBytesNeverCrashTheDecoders() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<500 {
            let bytes = (0..<Int.random(in: 0..<200, using: &generator)).map { _ in
                UInt8.random(in: 0...255, using: &generator)
            }
            for wire in [Text.self, Frame.self] as [any WireProtocol.Type] {
                _ = WireProtocolVerifier.feed(
                    wire, chunks: WireProtocolVerifier.splits(of: bytes, randomSplits: 2)[2], maxPackageSize: 4096)
            }
        }
    }

    func testBuiltinSchemesAreRegisteredWithoutASetUpCall() {
        XCTAssertTrue(ProtocolRegistry.lookup("text") == Text.self)
        XCTAssertTrue(ProtocolRegistry.lookup("TEXT") == Text.self, "schemes are case-insensitive")
        XCTAssertTrue(ProtocolRegistry.lookup("frame") == Frame.self)
        XCTAssertTrue(Worker("text://127.0.0.1:0").protocol == Text.self)
        XCTAssertNil(Worker("tcp://127.0.0.1:0").protocol)
    }

    func testAUserProtocolRegistersByScheme() {
        enum Shout: WireProtocol {
            static func input(_ buffer: ByteView, connection: Connection) -> InputResult {
                Text.input(buffer, connection: connection)
            }
            static func decode(_ packet: ByteView, connection: Connection) throws -> Message? {
                try Text.decode(packet, connection: connection).map { .text($0.string.uppercased()) }
            }
            static func encode(_ message: Message, connection: Connection, into buffer: inout ByteBuffer) throws {
                try Text.encode(message, connection: connection, into: &buffer)
            }
        }
        Worker.register(Shout.self, as: "shout")
        XCTAssertTrue(Worker("Shout://127.0.0.1:0").protocol == Shout.self)
        XCTAssertEqual(WireProtocolVerifier.verify(Shout.self, input: Array("a\nb\n".utf8), expecting: ["A", "B"]), [])
    }
}
