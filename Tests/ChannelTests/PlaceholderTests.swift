import XCTest

final class ChannelPlaceholderTests: XCTestCase {
    func testThePlaceholdersAreReplacedWhenTheirIssueLands() {}
}
