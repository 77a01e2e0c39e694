import WorkermanTestSupport
import XCTest

/// Issue 15.11: a test whose outside peer is missing says what is missing (not "required false value
/// but got true"), and fails under CI instead of skipping.
final class OutsidePeerTests: XCTestCase {
    func testAMissingPeerSkipsWithItsReasonAndFailsUnderCI() {
        XCTAssertNoThrow(try OutsidePeer.require(true, "present", environment: ["CI": "true"]))
        let reason = "Python h11 is not installed (.ci/deps/http.sh installs it)"
        XCTAssertThrowsError(try OutsidePeer.require(false, reason, environment: [:])) { error in
            guard let skip = error as? XCTSkip else { return XCTFail("not a skip: \(error)") }
            XCTAssertEqual(skip.message, reason)
            XCTAssertFalse("\(skip)".contains("required false value"), "\(skip)")
        }
        XCTAssertThrowsError(try OutsidePeer.require(false, reason, environment: ["CI": "true"])) { error in
            XCTAssertFalse(error is XCTSkip, "under CI a missing peer fails the test")
            XCTAssertEqual("\(error)", reason + "; CI must have it")
        }
    }
}
