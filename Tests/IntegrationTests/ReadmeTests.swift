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

    /// The article "From Workerman to Swift" carries the README's API table, row for row.
    func testTheArticleHasTheReadmesWorkermanTable() throws {
        let readme = try String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)
        let article = try String(
            contentsOf: root.appendingPathComponent("Sources/Workerman/Workerman.docc/FromWorkermanToSwift.md"),
            encoding: .utf8)
        guard let section = readme.range(of: "## The API beside Workerman's"),
            let tableStart = readme.range(of: "| Workerman (PHP) |", range: section.upperBound..<readme.endIndex)
        else { return XCTFail("no Workerman table in the README") }
        let rows = readme[tableStart.lowerBound...].split(separator: "\n").prefix { $0.hasPrefix("|") }
        XCTAssertGreaterThan(rows.count, 10)
        for row in rows { XCTAssertTrue(article.contains(row), "the article lacks the README's row \(row)") }
    }

    func testTheReadmeCommandsAreTheOnesCIRuns() throws {
        let readme = try String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)
        let ci = try String(contentsOf: root.appendingPathComponent(".ci/run"), encoding: .utf8)
        XCTAssertTrue(readme.contains("\nswift test\n"))
        XCTAssertTrue(ci.contains("\nswift test "))
    }
}
