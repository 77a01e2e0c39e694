import Workerman
import WorkermanGateway
import XCTest

/// The wire formats byte for byte: PHP's serialize, JSON as PHP writes it, client ids, the 28-byte
/// GatewayProtocol header and the Register's lines. Expected bytes are what PHP produces for the
/// same values (`serialize`, `pack("NCNnNnNCnN")`, `bin2hex(pack('NnN'))`, `json_encode`).
final class GatewayCodecTests: XCTestCase {
    private func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

    func testSerializeWritesEveryKindAsPHPDoes() {
        XCTAssertEqual(text(PHPSerialization.serialize(.null)), "N;")
        XCTAssertEqual(text(PHPSerialization.serialize(true)), "b:1;")
        XCTAssertEqual(text(PHPSerialization.serialize(false)), "b:0;")
        XCTAssertEqual(text(PHPSerialization.serialize(-42)), "i:-42;")
        XCTAssertEqual(text(PHPSerialization.serialize(0.1)), "d:0.1;")
        XCTAssertEqual(text(PHPSerialization.serialize(1.0)), "d:1;")
        XCTAssertEqual(text(PHPSerialization.serialize(-2.5)), "d:-2.5;")
        XCTAssertEqual(text(PHPSerialization.serialize(1e25)), "d:1.0E+25;")
        XCTAssertEqual(text(PHPSerialization.serialize(1.5e-7)), "d:1.5E-7;")
        XCTAssertEqual(text(PHPSerialization.serialize(.double(.infinity))), "d:INF;")
        // PHP 8.2 with serialize_precision -1 (checked with php-cli): plain up to 17 integer digits.
        XCTAssertEqual(text(PHPSerialization.serialize(1e16)), "d:10000000000000000;")
        XCTAssertEqual(text(PHPSerialization.serialize(1e17)), "d:1.0E+17;")
        XCTAssertEqual(text(PHPSerialization.serialize(123456789012345678.0)), "d:1.2345678901234568E+17;")
        XCTAssertEqual(text(PHPSerialization.serialize(0.0001)), "d:0.0001;")
        XCTAssertEqual(text(PHPSerialization.serialize(0.00001)), "d:1.0E-5;")
        XCTAssertEqual(text(PHPSerialization.serialize(-0.0)), "d:-0;")
        XCTAssertEqual(text(PHPSerialization.serialize("héllo")), "s:6:\"héllo\";", "the length counts UTF-8 bytes")
        let session: GatewaySession = ["uid": "alice", 7: 1.5, "groups": ["a", "b"], "flags": [true, nil]]
        XCTAssertEqual(
            text(PHPSerialization.serialize(session)),
            "a:4:{s:3:\"uid\";s:5:\"alice\";i:7;d:1.5;s:6:\"groups\";a:2:{i:0;s:1:\"a\";i:1;s:1:\"b\";}"
                + "s:5:\"flags\";a:2:{i:0;b:1;i:1;N;}}")
    }

    func testUnserializeReadsWhatSerializeWritesAndKeepsKeyOrder() throws {
        let values: [PHPValue] = [
            .null, true, false, 0, .int(Int.max), .int(Int.min), 0.1, -1e300, "", "a\"b;}", "日本",
            ["z": 1, "a": 2, 10: "ten", 3: "three"], [["deep": [[1, 2], ["x": nil]]]],
        ]
        for value in values {
            XCTAssertEqual(try PHPSerialization.unserialize(PHPSerialization.serialize(value)), value, "\(value)")
        }
        let nan = try PHPSerialization.unserialize(Array("d:NAN;".utf8))
        guard case .double(let number) = nan else { return XCTFail("NAN is a float") }
        XCTAssertTrue(number.isNaN)
        let array = try XCTUnwrap(PHPSerialization.unserialize(Array("a:2:{s:1:\"b\";i:1;s:1:\"a\";i:2;}".utf8)).array)
        XCTAssertEqual(array.keys, ["b", "a"], "insertion order is kept")
        XCTAssertEqual(array["5"], nil)
        XCTAssertEqual(
            try PHPSerialization.unserialize(Array("a:1:{s:1:\"5\";i:1;}".utf8)).array?.keys, [.int(5)],
            "a numeric string key is an integer key, as in PHP")
    }

    func testUnserializeRefusesObjectsReferencesAndDamage() {
        let bad = [
            "O:8:\"stdClass\":0:{}", "a:1:{i:0;r:1;}", "s:5:\"abc\";", "a:2:{i:0;i:1;}", "i:12", "i:1;x", "b:2;",
            "a:99999999:{}", String(repeating: "a:1:{i:0;", count: 100) + "N;" + String(repeating: "}", count: 100),
            "C:3:\"Foo\":0:{}", "",
        ]
        for input in bad {
            XCTAssertThrowsError(try PHPSerialization.unserialize(Array(input.utf8)), input)
        }
    }

    func testSessionsRoundTripAndMergeAsArrayReplaceRecursive() throws {
        XCTAssertEqual(try PHPSerialization.unserializeSession([UInt8]()), [:])
        XCTAssertEqual(try PHPSerialization.unserializeSession(Array("N;".utf8)), [:])
        XCTAssertThrowsError(try PHPSerialization.unserializeSession(Array("i:1;".utf8)))
        var session: GatewaySession = ["uid": "u1", "prefs": ["a": 1, "b": 2]]
        session["visits"] = 3
        session["uid"] = nil
        XCTAssertEqual(session.keys, ["prefs", "visits"])
        let merged = session.replacingRecursively(with: ["prefs": ["b": 20, "c": 30], "visits": 4])
        XCTAssertEqual(merged, ["prefs": ["a": 1, "b": 20, "c": 30], "visits": 4])
    }

    func testJSONAsPHPWritesAndReadsIt() throws {
        XCTAssertEqual(PHPJSON.encode(["a", "b"]), "[\"a\",\"b\"]")
        XCTAssertEqual(PHPJSON.encode([5: 5, 9: 9]), "{\"5\":5,\"9\":9}", "a map of connection ids is an object")
        XCTAssertEqual(PHPJSON.encode(["group": ["g/1"], "exclude": nil]), "{\"group\":[\"g\\/1\"],\"exclude\":null}")
        XCTAssertEqual(
            PHPJSON.encode(["x": 1.0, "y": "\u{1}\n", "z": 1e25]), "{\"x\":1,\"y\":\"\\u0001\\n\",\"z\":1.0e+25}")
        let decoded = try PHPJSON.decode(
            #" {"connections": {"5":5, "7":7}, "s":"\u00e9\ud83d\ude00\"", "f":-1.5e3, "t":[true,false,null]} "#)
        XCTAssertEqual(
            decoded,
            ["connections": [5: 5, 7: 7], "s": "é😀\"", "f": -1500.0, "t": [true, false, nil]])
        for bad in ["{", "[1,]", "{\"a\" 1}", "tru", "\"abc", "1 2", "{\"a\":1}}"] {
            XCTAssertThrowsError(try PHPJSON.decode(bad), bad)
        }
    }

    func testClientIDIsTwentyHexOfIpPortAndConnection() {
        let id = ClientID(gatewayIP: IPv4.parse("127.0.0.1")!, gatewayPort: 2900, connectionID: 1)
        XCTAssertEqual(id.description, "7f0000010b5400000001")
        XCTAssertEqual(ClientID("7F0000010B5400000001"), id)
        XCTAssertEqual(id.gatewayAddress, "127.0.0.1:2900")
        let big = ClientID(gatewayIP: 0xC0A8_0102, gatewayPort: 65535, connectionID: 4_294_967_295)
        XCTAssertEqual(big.description, "c0a80102ffffffffffff")
        XCTAssertEqual(ClientID(big.description), big)
        for bad in ["", "7f0000010b540000000", "7f0000010b5400000001a", "7g0000010b5400000001"] {
            XCTAssertNil(ClientID(bad), bad)
        }
        XCTAssertNil(IPv4.parse("::1"))
        XCTAssertNil(IPv4.parse("1.2.3"))
        XCTAssertNil(IPv4.parse("1.2.3.256"))
        XCTAssertEqual(IPv4.text(IPv4.parse("10.20.30.40")!), "10.20.30.40")
    }

    func testFrameHeaderIsPHPsPackNCNnNnNCnN() throws {
        var frame = GatewayFrame(.sendToGroup, body: "hi")
        frame.localIP = 0x7F00_0001
        frame.localPort = 2900
        frame.clientIP = 0x0A00_0002
        frame.clientPort = 51000
        frame.connectionID = 77
        frame.flags.insert(.skipClientEncode)
        frame.gatewayPort = 7273
        frame.extData = Array("{\"group\":[\"g\"],\"exclude\":null}".utf8)
        let bytes = frame.encoded.readableBytesArray
        let expectedHeader: [UInt8] = [
            0, 0, 0, 60,  // N total: 28 + 30 + 2
            22,  // C cmd
            127, 0, 0, 1, 0x0B, 0x54,  // N local ip, n local port
            10, 0, 0, 2, 0xC7, 0x38,  // N client ip, n client port
            0, 0, 0, 77,  // N connection id
            0x03,  // C flags: scalar body, skip encode
            0x1C, 0x69,  // n gateway port
            0, 0, 0, 30,  // N ext length
        ]
        XCTAssertEqual(Array(bytes.prefix(28)), expectedHeader)
        XCTAssertEqual(Array(bytes.suffix(2)), Array("hi".utf8))
        let decoded = try bytes.withUnsafeBytes { try GatewayFrame(decoding: ByteView($0)) }
        XCTAssertEqual(decoded, frame)
        XCTAssertEqual(try decoded.bodyValue(), "hi")
    }

    func testEveryCommandAndFlagRoundTrips() throws {
        let codes: [UInt8] =
            [1, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 20, 21, 22, 23, 24, 25, 26, 27, 28]
            + [200, 201, 202, 203, 204, 205, 230, 231]
        for code in codes {
            for flagBits: UInt8 in [0, 1, 2, 3] {
                var frame = GatewayFrame(GatewayCommand(rawValue: code))
                frame.flags = .init(rawValue: flagBits)
                frame.connectionID = UInt32(code) * 1000
                frame.extData = flagBits & 1 == 0 ? [] : [1, 2, 3]
                frame.body =
                    flagBits & 1 == 1
                    ? Array("raw body".utf8) : PHPSerialization.serialize(PHPValue.array(["k": [1, 2]]))
                let decoded = try frame.encoded.withReadableBytes { try GatewayFrame(decoding: ByteView($0)) }
                XCTAssertEqual(decoded, frame)
                XCTAssertFalse(decoded.command.description.hasPrefix("command"), "\(code) has a name")
            }
        }
        XCTAssertEqual(GatewayCommand(rawValue: 99).description, "command 99")
        let array = GatewayFrame(.onWebSocketConnect, body: ["get": ["a": "1"]])
        XCTAssertFalse(array.flags.contains(.bodyIsScalar))
        XCTAssertEqual(try array.bodyValue(), ["get": ["a": "1"]])
        XCTAssertEqual(text(GatewayFrame(.kick, body: nil).body), "N;", "a null body is serialized, as PHP does")
        XCTAssertEqual(text(GatewayFrame(.sendToOne, body: 12).body), "12")
    }

    func testMalformedFramesAreRefusedWithAReason() {
        var frame = GatewayFrame(.onMessage, body: "x")
        frame.extData = [9, 9]
        var bytes = Array(frame.encoded.readableBytesArray)
        bytes[27] = 200  // ext length past the end
        XCTAssertThrowsError(try bytes.withUnsafeBytes { try GatewayFrame(decoding: ByteView($0)) })
        XCTAssertThrowsError(
            try [UInt8](repeating: 0, count: 10).withUnsafeBytes { try GatewayFrame(decoding: ByteView($0)) })
        let connection = TcpConnection.unconnected(protocol: GatewayProtocol.self)
        var short = [UInt8](repeating: 0, count: 28)
        short[3] = 27
        short.withUnsafeBytes { raw in
            guard case .invalid = GatewayProtocol.input(ByteView(raw), connection: connection) else {
                return XCTFail("a length below the header is invalid")
            }
        }
        [UInt8](repeating: 0, count: 27).withUnsafeBytes { raw in
            XCTAssertEqual(GatewayProtocol.input(ByteView(raw), connection: connection), .needMore)
        }
        let reply = GatewayFrame.reply(.int(3))
        reply.withReadableBytes { raw in
            XCTAssertEqual(GatewayReplyProtocol.input(ByteView(raw), connection: connection), .packet(length: 8))
        }
        XCTAssertEqual(text(Array(reply.readableBytesArray)), "\0\0\0\u{4}i:3;")
    }

    func testRegisterLines() throws {
        XCTAssertEqual(
            RegisterMessage.gatewayConnect(address: "127.0.0.1:2900", secretKey: "k").encoded,
            "{\"event\":\"gateway_connect\",\"address\":\"127.0.0.1:2900\",\"secret_key\":\"k\"}")
        XCTAssertEqual(
            RegisterMessage.workerConnect(secretKey: "").encoded, "{\"event\":\"worker_connect\",\"secret_key\":\"\"}")
        XCTAssertEqual(RegisterMessage.ping.encoded, "{\"event\":\"ping\"}")
        XCTAssertEqual(
            RegisterMessage.broadcastAddresses(["1.2.3.4:2900"]).encoded,
            "{\"event\":\"broadcast_addresses\",\"addresses\":[\"1.2.3.4:2900\"]}")
        // PHP's own spelling (GatewayWorker writes this one by hand, with a space).
        XCTAssertEqual(
            try RegisterMessage(
                decoding: "{\"event\":\"gateway_connect\", \"address\":\"10.0.0.1:2000\", \"secret_key\":\"\"}"),
            .gatewayConnect(address: "10.0.0.1:2000", secretKey: ""))
        XCTAssertEqual(
            try RegisterMessage(
                decoding: "{\"event\":\"broadcast_addresses\",\"addresses\":{\"0\":\"a:1\",\"2\":\"b:2\"}}"),
            .broadcastAddresses(["a:1", "b:2"]), "array_unique leaves gaps: an object")
        for bad in ["", "{}", "[1]", "{\"event\":\"nope\"}", "{\"event\":\"gateway_connect\"}", "not json"] {
            XCTAssertThrowsError(try RegisterMessage(decoding: bad), bad)
        }
    }
}
