import Foundation
import Workerman
import XCTest

final class LogTests: XCTestCase {
    func testLinesHaveWorkermansLayoutAndFloodsAreLimited() throws {
        let file = NSTemporaryDirectory() + "workerman-log-\(UUID().uuidString).log"
        defer { try? FileManager.default.removeItem(atPath: file) }
        let (oldFile, oldStandardError) = (Log.file, Log.toStandardError)
        Log.file = file
        Log.toStandardError = false
        defer { (Log.file, Log.toStandardError) = (oldFile, oldStandardError) }

        // Start at the beginning of a second, so that all 25 lines fall into it.
        let second = time(nil)
        while time(nil) == second { usleep(1000) }
        for index in 0..<25 { Log.writeLimited("flood", "flood line \(index)", perSecond: 10) }
        sleep(1)
        Log.writeLimited("flood", "the next second")

        let lines = try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.filter { $0.contains("flood line") }.count, 10)
        XCTAssertTrue(lines.contains { $0.hasSuffix("(15 more 'flood' lines suppressed)") }, "\(lines)")
        XCTAssertTrue(lines.last?.hasSuffix("the next second") ?? false)
        let layout = try NSRegularExpression(pattern: #"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d pid:\d+ "#)
        for line in lines {
            XCTAssertNotNil(
                layout.firstMatch(in: String(line), range: NSRange(line.startIndex..., in: line)), String(line))
        }
    }
}
