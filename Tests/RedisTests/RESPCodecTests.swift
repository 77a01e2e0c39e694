import WorkermanCore
import XCTest

@testable import WorkermanRedis

/// The RESP2/RESP3 scanner and decoder on every reply type, whole and cut at every byte.
final class RESPCodecTests: XCTestCase {
    /// Wire bytes and the reply they mean, one per reply type (and the nested and edge forms).
    static let samples: [(String, RedisReply)] = [
        ("+OK\r\n", .simpleString("OK")),
        ("-ERR unknown command 'FOO'\r\n", .error("ERR unknown command 'FOO'")),
        (":0\r\n", .integer(0)),
        (":-9223372036854775808\r\n", .integer(.min)),
        (":9223372036854775807\r\n", .integer(.max)),
        ("$5\r\nhello\r\n", .bulkString(Array("hello".utf8))),
        ("$0\r\n\r\n", .bulkString([])),
        ("$4\r\na\r\nb\r\n", .bulkString(Array("a\r\nb".utf8))),
        ("$-1\r\n", .null),
        ("*-1\r\n", .null),
        ("*0\r\n", .array([])),
        (
            "*3\r\n:1\r\n$1\r\nx\r\n*1\r\n+y\r\n",
            .array([.integer(1), .bulkString([120]), .array([.simpleString("y")])])
        ),
        ("*2\r\n$-1\r\n*0\r\n", .array([.null, .array([])])),
        ("_\r\n", .null),
        (",3.25\r\n", .double(3.25)),
        (",-inf\r\n", .double(-.infinity)),
        ("#t\r\n", .boolean(true)),
        ("#f\r\n", .boolean(false)),
        ("(3492890328409238509324850943850943825024385\r\n", .bigNumber("3492890328409238509324850943850943825024385")),
        ("!21\r\nSYNTAX invalid syntax\r\n", .error("SYNTAX invalid syntax")),
        ("=15\r\ntxt:Some string\r\n", .verbatimString(format: "txt", Array("Some string".utf8))),
        (
            "%2\r\n+first\r\n:1\r\n$6\r\nsecond\r\n*1\r\n:2\r\n",
            .map([
                RedisPair(key: .simpleString("first"), value: .integer(1)),
                RedisPair(key: .bulkString(Array("second".utf8)), value: .array([.integer(2)])),
            ])
        ),
        ("~2\r\n+a\r\n+b\r\n", .set([.simpleString("a"), .simpleString("b")])),
        (
            ">3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n",
            .push([.bulkString(Array("message".utf8)), .bulkString(Array("ch".utf8)), .bulkString(Array("hi".utf8))])
        ),
        ("|1\r\n+ttl\r\n:3600\r\n:7\r\n", .integer(7)),
        ("*2\r\n|1\r\n+a\r\n+b\r\n:1\r\n:2\r\n", .array([.integer(1), .integer(2)])),
    ]

    private func measure(_ bytes: [UInt8], limit: Int = 1 << 20) -> InputResult {
        bytes.withUnsafeBytes { RESPScanner.measure(ByteView($0), limit: limit) }
    }

    private func decode(_ bytes: [UInt8]) throws -> RedisReply {
        try bytes.withUnsafeBytes { raw throws(ProtocolError) in try RESPDecoder.decode(ByteView(raw)) }
    }

    func testEveryReplyTypeWholeAndCutAtEveryByte() throws {
        for (wire, expected) in Self.samples {
            let bytes = Array(wire.utf8)
            XCTAssertEqual(measure(bytes), .packet(length: bytes.count), wire)
            XCTAssertEqual(try decode(bytes), expected, wire)
            for cut in 0..<bytes.count {
                let result = measure(Array(bytes[..<cut]))
                // A top-level bulk string announces its whole length once its header is in.
                let acceptable: [InputResult] = [.needMore, .packet(length: bytes.count)]
                XCTAssertTrue(acceptable.contains(result), "\(wire.debugDescription) cut at \(cut): \(result)")
            }
            // Followed by the start of the next reply, only the first is measured.
            XCTAssertEqual(measure(bytes + Array("+NEXT".utf8)), .packet(length: bytes.count), wire)
        }
    }

    func testAllSamplesConcatenatedAreCutIntoTheirReplies() throws {
        let stream = Self.samples.flatMap { Array($0.0.utf8) }
        var offset = 0
        var decoded: [RedisReply] = []
        while offset < stream.count {
            guard case .packet(let length) = measure(Array(stream[offset...])) else {
                return XCTFail("stream stopped at \(offset)")
            }
            decoded.append(try decode(Array(stream[offset..<offset + length])))
            offset += length
        }
        XCTAssertEqual(decoded, Self.samples.map { $0.1 })
    }

    func testMalformedRepliesAreRefusedWithAReason() {
        let malformed = [
            "?what\r\n", ":12a\r\n", ":99999999999999999999\r\n", "$-2\r\n", "$3\r\nabcde\r\n", "*-2\r\n",
            "#x\r\n", ",abc\r\n", "+OK\n", "_x\r\n", "%-1\r\n", "!-1\r\n", "*1\r\n?\r\n",
        ]
        for wire in malformed {
            guard case .invalid(let reason) = measure(Array(wire.utf8)) else {
                XCTFail("\(wire.debugDescription) was not refused: \(measure(Array(wire.utf8)))")
                continue
            }
            XCTAssertFalse(reason.isEmpty)
        }
        let deep = Array(String(repeating: "*1\r\n", count: RESPScanner.maxDepth + 2).utf8)
        guard case .invalid = measure(deep) else { return XCTFail("nesting without end was not refused") }
    }

    func testRepliesOverTheLimitAreRefusedBeforeTheyArrive() {
        guard case .invalid(let reason) = measure(Array("$2000\r\nab".utf8), limit: 1000) else {
            return XCTFail("a large bulk string header was not refused")
        }
        XCTAssertTrue(reason.contains("over the limit"), reason)
        let manySmall = Array(("*100\r\n" + String(repeating: "+0123456789\r\n", count: 90)).utf8)
        guard case .invalid = measure(manySmall, limit: 1000) else {
            return XCTFail("an array growing past the limit was not refused")
        }
        let endless = Array(("+" + String(repeating: "a", count: 2000)).utf8)
        guard case .invalid = measure(endless, limit: 1000) else {
            return XCTFail("a line without end was not refused")
        }
    }

    func testCommandsAreEncodedAsBulkStrings() {
        let command = RedisCommand("SET", "key", [0, 13, 10, 255] as [UInt8], 42, 1.5)
        XCTAssertEqual(
            command.encoded.readableBytesArray,
            Array("*5\r\n$3\r\nSET\r\n$3\r\nkey\r\n$4\r\n".utf8) + [0, 13, 10, 255]
                + Array("\r\n$2\r\n42\r\n$3\r\n1.5\r\n".utf8))
        XCTAssertEqual(
            RedisCommand("X", -7, Int.min, Int64.max, 0).encoded.readableString,
            "*5\r\n$1\r\nX\r\n$2\r\n-7\r\n$20\r\n-9223372036854775808\r\n$19\r\n9223372036854775807\r\n$1\r\n0\r\n")
    }

    func testURLsParse() throws {
        let full = try RedisEndpoint(url: "redis://alice:p%40ss@10.0.0.1:6380/3")
        XCTAssertEqual([full.host, full.username, full.password], ["10.0.0.1", "alice", "p@ss"])
        XCTAssertEqual([full.port, full.database], [6380, 3])
        XCTAssertEqual(full.connectionAddress, "tcp://10.0.0.1:6380")
        let plain = try RedisEndpoint(url: "redis://localhost")
        XCTAssertEqual(plain.port, 6379)
        XCTAssertNil(plain.password)
        XCTAssertEqual(try RedisEndpoint(url: "redis://:secret@[::1]:7000").connectionAddress, "tcp://[::1]:7000")
        XCTAssertEqual(try RedisEndpoint(url: "redis://:secret@[::1]:7000").password, "secret")
        XCTAssertEqual(try RedisEndpoint(url: "rediss://h:1").connectionAddress, "ssl://h:1")
        let unix = try RedisEndpoint(url: "unix:///tmp/r.sock?db=2&password=x")
        XCTAssertEqual([unix.unixPath, unix.password], ["/tmp/r.sock", "x"])
        XCTAssertEqual(unix.database, 2)
        for bad in ["127.0.0.1:6379", "http://h", "redis://h:0", "redis://h/x", "unix://relative"] {
            XCTAssertThrowsError(try RedisEndpoint(url: bad), bad)
        }
    }

    func testScriptsAreNamedByTheirSHA1() {
        XCTAssertEqual(RedisScript("return 1").sha1, "e0e1f9fabfc9d4800c877a703b823ac0578ff8db")
    }
}
