import XCTest

@testable import WorkermanProtocols

/// The writer of response heads: decimal numbers and strings written as they read.
final class HeadWriterTests: XCTestCase {
    func testDecimalsAreWrittenAsStringWouldWriteThem() {
        let values = [0, 7, 9, 10, 42, 99, 100, 101, 999, 1000, 12345, 1 << 40, Int.max, -1, -12345]
        var memory = [UInt8](repeating: 0, count: 32)
        for value in values {
            let written = memory.withUnsafeMutableBytes { raw -> Int in
                var head = HeadWriter(raw.baseAddress!)
                head.putDecimal(value)
                return head.count
            }
            XCTAssertEqual(String(decoding: memory[0..<written], as: UTF8.self), String(value))
        }
    }

    func testStringsSmallAndLargeAreCopiedWhole() {
        let texts = ["", "Hello, World!", "fifteen bytes!!", String(repeating: "é", count: 40), "naïve ☃"]
        var memory = [UInt8](repeating: 0, count: 128)
        for text in texts {
            let written = memory.withUnsafeMutableBytes { raw -> Int in
                var head = HeadWriter(raw.baseAddress!)
                head.put(string: text)
                return head.count
            }
            XCTAssertEqual(String(decoding: memory[0..<written], as: UTF8.self), text)
        }
    }
}
