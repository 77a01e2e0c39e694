import Foundation
import WorkermanTestSupport
import XCTest

/// Tests that start the http-server example: a scratch directory per test, and the server stopped
/// (and the directory removed) when the test ends.
class HttpExampleTestCase: XCTestCase {
    /// The example started by the test, stopped in tearDown.
    var server: HttpExampleServer?
    /// A directory of the test's own (session files, certificates, upload sources).
    var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("http-example-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDown() {
        server?.stop()
        server = nil
        try? FileManager.default.removeItem(at: directory)
        super.tearDown()
    }
}
