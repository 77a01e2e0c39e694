import Foundation
import XCTest

final class ReadmeTests: XCTestCase {
    private var root: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
    }

    func testTheReadmeServerIsTheHelloExampleThatIsBuilt() throws {
        let readme = try String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)
        let example = try String(
            contentsOf: root.appendingPathComponent("Sources/Examples/Hello/main.swift"), encoding: .utf8)
        XCTAssertTrue(
            readme.contains("```swift\n" + example + "```"),
            "README's ten-line server differs from Sources/Examples/Hello/main.swift")
        XCTAssertLessThanOrEqual(example.split(separator: "\n").count, 10)
    }

    func testTheReadmeCommandsAreTheOnesCIRuns() throws {
        let readme = try String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)
        let ci = try String(contentsOf: root.appendingPathComponent(".ci/run"), encoding: .utf8)
        XCTAssertTrue(readme.contains("\nswift test\n"))
        XCTAssertTrue(ci.contains("\nswift test "))
    }
}
