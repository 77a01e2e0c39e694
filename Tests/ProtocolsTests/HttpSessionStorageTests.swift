import Foundation
import Workerman
import XCTest

/// The session pieces without a server: the file handler's storage, expiry and garbage collection.
final class HttpSessionStorageTests: XCTestCase {
    private var directory: String!

    override func setUp() {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("sessions-\(UUID().uuidString)").path
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Makes the session file of `id` look `seconds` old.
    private func age(_ id: String, by seconds: Double) throws {
        let date = Date().addingTimeInterval(-seconds)
        try FileManager.default.setAttributes([.modificationDate: date], ofItemAtPath: "\(directory!)/ses_\(id)")
    }

    func testTheFileHandlerStoresExpiresAndCollects() throws {
        let handler = FileSessionHandler(directory: directory + "/nested")
        directory += "/nested"
        XCTAssertNil(handler.read("0123456789abcdef", maxLifetime: 60))
        XCTAssertTrue(handler.write("0123456789abcdef", Array("a=1".utf8)))
        XCTAssertTrue(handler.write("fedcba9876543210", Array("b=2".utf8)))
        XCTAssertEqual(handler.read("0123456789abcdef", maxLifetime: 60), Array("a=1".utf8))

        try age("0123456789abcdef", by: 120)
        handler.touch("0123456789abcdef")  // used again: young
        XCTAssertNotNil(handler.read("0123456789abcdef", maxLifetime: 60))
        try age("0123456789abcdef", by: 120)
        XCTAssertNil(handler.read("0123456789abcdef", maxLifetime: 60), "expired")

        try age("fedcba9876543210", by: 120)
        XCTAssertTrue(handler.write("00000000000000000", Array("c=3".utf8)))
        handler.collectGarbage(maxLifetime: 60)
        let left = try FileManager.default.contentsOfDirectory(atPath: directory)
        XCTAssertEqual(left, ["ses_00000000000000000"])
        handler.destroy("00000000000000000")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory), [])
    }
}
