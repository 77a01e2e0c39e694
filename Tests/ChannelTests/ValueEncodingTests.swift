import Foundation
import WorkermanGlobalData
import XCTest

/// The MessagePack encoding of `Value`, against the spec's bytes and hostile input.
final class ValueEncodingTests: XCTestCase {
    /// Issue 15.6: a dictionary of variables converts as a PHP array does, not only literals.
    func testDictionariesAndArraysOfVariablesConvert() {
        let name = "alice"
        let count = 3
        let tags = ["a", "b"]
        let ratio = 0.5
        let missing: String? = nil
        let value = Value(["name": name, "count": count, "tags": tags, "ratio": ratio, "none": missing, "ok": true])
        XCTAssertEqual(
            value, ["name": "alice", "count": 3, "tags": ["a", "b"], "ratio": 0.5, "none": .null, "ok": true])
        XCTAssertEqual(Value([name, count]), ["alice", 3])
        XCTAssertEqual(Value(name), "alice")
        XCTAssertEqual(
            Value(["user": Value(["name": name, "id": count]), "at": 1]),
            ["user": ["name": "alice", "id": 3], "at": 1])
    }

    func testScalarsUseTheShortestMessagePackForms() throws {
        let cases: [(Value, [UInt8])] = [
            (.null, [0xc0]), (false, [0xc2]), (true, [0xc3]),
            (0, [0x00]), (127, [0x7f]), (-1, [0xff]), (-32, [0xe0]), (128, [0xd1, 0x00, 0x80]),
            (-33, [0xd1, 0xff, 0xdf]), (70_000, [0xd2, 0x00, 0x01, 0x11, 0x70]),
            (.int(Int64.min), [0xd3, 0x80, 0, 0, 0, 0, 0, 0, 0]),
            (1.5, [0xcb, 0x3f, 0xf8, 0, 0, 0, 0, 0, 0]),
            ("a", [0xa1, 0x61]), (.bytes([1, 2]), [0xc4, 0x02, 0x01, 0x02]),
            ([1, "b"], [0x92, 0x01, 0xa1, 0x62]), (["k": 1], [0x81, 0xa1, 0x6b, 0x01]),
        ]
        for (value, bytes) in cases {
            XCTAssertEqual(value.messagePack, bytes, "\(value)")
            XCTAssertEqual(try Value(messagePack: bytes), value)
        }
        let long = String(repeating: "x", count: 40)
        XCTAssertEqual(Array(Value.string(long).messagePack.prefix(2)), [0xd9, 40])
        XCTAssertEqual(Array(Value.array(Array(repeating: .null, count: 16)).messagePack.prefix(3)), [0xdc, 0, 16])
    }

    func testEveryWidthOtherEncodersProduceIsRead() throws {
        XCTAssertEqual(try Value(messagePack: [0xcc, 0xff]), 255)
        XCTAssertEqual(try Value(messagePack: [0xcd, 0x01, 0x00]), 256)
        XCTAssertEqual(try Value(messagePack: [0xce, 0, 1, 0, 0]), 65_536)
        XCTAssertEqual(try Value(messagePack: [0xd0, 0x80]), -128)
        XCTAssertEqual(try Value(messagePack: [0xca, 0x3f, 0xc0, 0, 0]), 1.5)
        XCTAssertEqual(try Value(messagePack: [0xda, 0, 1, 0x7a]), "z")
        XCTAssertEqual(try Value(messagePack: [0xde, 0, 1, 0xa1, 0x6b, 0xc3]), ["k": true])
    }

    func testNestedValuesRoundTrip() throws {
        let value: Value = [
            "group_id": "123", "message": "這個是消息", "n": [1, -2, 3.25, .int(Int64.max)],
            "deep": [["a": [.null, false, .bytes(Array(0...255))]]], "empty": [:], "none": [],
        ]
        XCTAssertEqual(try Value(messagePack: value.messagePack), value)
    }

    func testHostileInputFailsInsteadOfCrashingOrAllocating() {
        let hostile: [[UInt8]] = [
            [], [0xc1], [0xd9], [0xa5, 0x61], [0xdb, 0xff, 0xff, 0xff, 0xff],  // truncated, huge string
            [0xdd, 0xff, 0xff, 0xff, 0xff], [0xdf, 0x7f, 0xff, 0xff, 0xff],  // huge array, huge map
            [0xa2, 0xc3, 0x28], [0x81, 0x01, 0x01], [0xc7, 0x01, 0x01, 0x00],  // bad UTF-8, int key, ext
            [0xcf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff], [0x01, 0x02],  // > Int64.max, trailing
            Array(repeating: 0x91, count: 10_000) + [0x01],  // nested 10,000 deep
        ]
        for bytes in hostile { XCTAssertThrowsError(try Value(messagePack: bytes), "\(bytes.prefix(8))") }
    }

    func testValueIsCodableAsJSON() throws {
        let value: Value = ["name": "ada", "list": [1, 2.5, true, .null], "nested": ["x": "y"]]
        let json = try JSONEncoder().encode(value)
        XCTAssertEqual(try JSONDecoder().decode(Value.self, from: json), value)
        XCTAssertEqual(value["list"][1].double, 2.5)
        XCTAssertEqual(value["missing"], .null)
        XCTAssertEqual(value.description, #"{"list":[1,2.5,true,null],"name":"ada","nested":{"x":"y"}}"#)
    }
}
