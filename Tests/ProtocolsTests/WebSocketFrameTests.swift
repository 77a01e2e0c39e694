import Workerman
import WorkermanTestSupport
import XCTest

/// The server's frame parser fed whole, byte by byte and in random splits, and hostile input.
final class WebSocketFrameTests: XCTestCase {
    private let handshake = Array(WebSocketTestClient.request().utf8)

    private func masked(_ frame: WebSocketTestFrame) -> [UInt8] { frame.encoded() }

    func testMessagesDecodeAlikeInEverySplit() {
        let utf8 = Array("héllo ✓ 漢字 🎉".utf8)
        let input =
            handshake + masked(.text("hello")) + masked(.init(opcode: 2, payload: [0, 255, 1]))
            + masked(.text("")) + masked(.init(opcode: 2, payload: Array(repeating: 7, count: 70_000)))
            // a text message in three fragments, a ping between them, a code point cut across frames
            + masked(.init(opcode: 1, payload: Array(utf8[0..<2]), isFinal: false))
            + masked(.init(opcode: 9, payload: [1, 2]))
            + masked(.init(opcode: 0, payload: Array(utf8[2..<9]), isFinal: false))
            + masked(.init(opcode: 0, payload: Array(utf8[9...])))
            + masked(.init(opcode: 10, payload: []))
        let expected: [Message] = [
            .text("hello"), .binary([0, 255, 1]), .text(""), .binary(Array(repeating: 7, count: 70_000)),
            .text("héllo ✓ 漢字 🎉"),
        ]
        XCTAssertEqual(WireProtocolVerifier.verify(WebSocket.self, input: input, expecting: expected), [])
    }

    func testAnIncompleteFrameWaits() {
        let frame = masked(.text("not yet"))
        let input = handshake + frame.dropLast(3)
        let outcome = WireProtocolVerifier.feed(WebSocket.self, chunks: [input])
        XCTAssertEqual(outcome.messages, [])
        XCTAssertEqual(outcome.leftover, frame.count - 3)
        XCTAssertNil(outcome.error)
    }

    // MARK: hostile input: each is refused with the close code RFC 6455 names, in every split

    private struct Fed {
        var messages: [Message] = []
        var closeCode: UInt16?
        var isOpen = false
    }

    /// Drives a server connection's protocol with `chunks` as reads would deliver them, until it
    /// refuses the input.
    private func feed(_ chunks: [[UInt8]], maxPackageSize: Int = TcpConnection.defaultMaxPackageSize) -> Fed {
        let connection = TcpConnection.unconnected(protocol: WebSocket.self)
        connection.maxPackageSize = maxPackageSize
        var session = WebSocket.makeState(for: connection)
        var fed = Fed()
        var pending: [UInt8] = []
        var refused = false
        reading: for chunk in chunks where !refused {
            pending += chunk
            while !refused {
                let length: Int? = pending.withUnsafeBytes { raw in
                    switch WebSocket.input(ByteView(raw), state: &session, connection: connection) {
                    case .packet(let length) where length <= raw.count:
                        do {
                            let packet = ByteView(raw).slice(0..<length)
                            if let message = try WebSocket.decode(packet, state: &session, connection: connection) {
                                fed.messages.append(message)
                            }
                        } catch {
                            refused = true
                        }
                        return length
                    case .replyAndClose, .invalid:
                        refused = true
                        return nil
                    default:
                        return nil
                    }
                }
                guard let length else { continue reading }
                pending.removeFirst(length)
            }
        }
        fed.closeCode = session.closeCode
        fed.isOpen = session.isOpen
        return fed
    }

    private func assertRefused(
        _ frames: [UInt8], with code: UInt16, maxPackageSize: Int = TcpConnection.defaultMaxPackageSize,
        file: StaticString = #filePath, line: UInt = #line
    ) {
        for (index, chunks) in WireProtocolVerifier.splits(of: handshake + frames, randomSplits: 5).enumerated() {
            let fed = feed(chunks, maxPackageSize: maxPackageSize)
            XCTAssertEqual(fed.closeCode, code, "split \(index)", file: file, line: line)
            XCTAssertFalse(fed.isOpen, "split \(index)", file: file, line: line)
        }
    }

    func testAnUnmaskedClientFrameIs1002() {
        assertRefused(WebSocketTestFrame.text("hi").encoded(mask: nil), with: 1002)
    }

    func testReservedBitsAndOpcodesAre1002() {
        assertRefused(masked(.init(opcode: 1, payload: [0x41], reservedBits: 0x20)), with: 1002)
        assertRefused(
            masked(.init(opcode: 1, payload: [0x41], reservedBits: 0x40)), with: 1002, maxPackageSize: 1 << 20)
        assertRefused(masked(.init(opcode: 3)), with: 1002)
        assertRefused(masked(.init(opcode: 0x0B)), with: 1002)
    }

    func testOversizedOrFragmentedControlFramesAre1002() {
        assertRefused(masked(.init(opcode: 9, payload: Array(repeating: 1, count: 126))), with: 1002)
        assertRefused(masked(.init(opcode: 9, payload: [1], isFinal: false)), with: 1002)
    }

    func testFragmentsOutOfOrderAre1002() {
        assertRefused(masked(.init(opcode: 0, payload: [0x41])), with: 1002)
        assertRefused(
            masked(.init(opcode: 1, payload: [0x41], isFinal: false)) + masked(.text("new message")), with: 1002)
    }

    func testInvalidUTF8Is1007EvenWhenFragmented() {
        assertRefused(masked(.init(opcode: 1, payload: [0xCE, 0xBA, 0xE1, 0xBD])), with: 1007)
        assertRefused(masked(.init(opcode: 1, payload: [0xED, 0xA0, 0x80])), with: 1007)  // a surrogate
        assertRefused(
            masked(.init(opcode: 1, payload: [0x41], isFinal: false)) + masked(.init(opcode: 0, payload: [0xFF]))
                + masked(.init(opcode: 0, payload: [0x42])), with: 1007)
        assertRefused(
            masked(.init(opcode: 1, payload: [0xE2, 0x82], isFinal: false)) + masked(.init(opcode: 0)),
            with: 1007)
    }

    func testAMessageOverTheLimitIs1009() {
        assertRefused(
            masked(.init(opcode: 2, payload: Array(repeating: 0, count: 2000))), with: 1009, maxPackageSize: 1000)
        let half = Array(repeating: UInt8(0x41), count: 600)
        assertRefused(
            masked(.init(opcode: 1, payload: half, isFinal: false)) + masked(.init(opcode: 0, payload: half)),
            with: 1009, maxPackageSize: 1000)
    }

    func testAHugeLengthIsRefusedWithoutAllocating() {
        let header: [UInt8] = [0x82, 0xFF, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 1, 2, 3, 4]
        assertRefused(header, with: 1002)
        let large: [UInt8] = [0x82, 0xFF, 0, 0, 0, 0, 0x40, 0, 0, 0, 1, 2, 3, 4]  // 1 GiB
        assertRefused(large, with: 1009)
    }

    func testCloseFramesAreChecked() {
        assertRefused(masked(.init(opcode: 8, payload: [0x03])), with: 1002)
        assertRefused(masked(.close(999)), with: 1002)
        assertRefused(masked(.close(1005)), with: 1002)
        assertRefused(masked(.init(opcode: 8, payload: [0x03, 0xE8, 0xFF])), with: 1007)
        assertRefused(masked(.close(4000, "bye")), with: 4000)  // echoed: the peer's code is the close code
        let fed = feed([handshake + masked(.close(1000)) + masked(.text("after close"))])
        XCTAssertEqual(fed.messages, [], "nothing is delivered after a close frame")
    }

    func testBadHandshakesNeverOpen() {
        for request in [
            "POST / HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n",
            WebSocketTestClient.request(version: "8"),
            "GET / HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n\r\n",
            "garbage\r\n\r\n",
            "GET / HTTP/1.1\r\n" + String(repeating: "X-Filler: 0123456789\r\n", count: 2000),
        ] {
            let fed = feed([Array(request.utf8) + masked(.text("hi"))])
            XCTAssertFalse(fed.isOpen, request)
            XCTAssertEqual(fed.messages, [], request)
        }
    }
}
