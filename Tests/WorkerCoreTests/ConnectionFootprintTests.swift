import Glibc
import WorkermanProtocols
import XCTest

@testable import WorkermanCore

/// What one idle connection costs the worker: the connection object and its protocol driver, as
/// malloc sizes them.
final class ConnectionFootprintTests: XCTestCase {
    /// glibc's `malloc_usable_size` (malloc.h is not part of the Glibc module).
    private let usableSize = unsafeBitCast(
        dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_usable_size"),
        to: (@convention(c) (UnsafeMutableRawPointer?) -> Int).self)

    private func mallocSize(_ object: AnyObject) -> Int {
        usableSize(Unmanaged.passUnretained(object).toOpaque())
    }

    /// An idle connection's own objects stay small: 10,000 idle connections of a push server should
    /// cost the worker a few MiB, not tens (the connection was 376 bytes before its rarely used
    /// fields moved out and its flags were packed).
    func testAnIdleConnectionIsSmall() {
        let connection = TcpConnection.unconnected(protocol: Text.self)
        XCTAssertLessThanOrEqual(mallocSize(connection), 232)
        XCTAssertLessThanOrEqual(mallocSize(connection.driver!), 24)
        XCTAssertNil(connection.extras, "a plain connection needs no extras")
    }

    func testCallbacksAreSharedUntilAConnectionSetsItsOwn() {
        let worker = Worker()
        var seen: [String] = []
        worker.onMessage = { _, message in seen.append("worker \(message)") }
        let first = TcpConnection.unconnected(protocol: Text.self, worker: worker)
        let second = TcpConnection.unconnected(protocol: Text.self, worker: worker)
        first.handlers = worker.connectionHandlers
        second.handlers = worker.connectionHandlers
        XCTAssertTrue(first.handlers === second.handlers)
        second.onMessage = { _, message in seen.append("own \(message)") }
        XCTAssertFalse(first.handlers === second.handlers)
        first.deliverMessage("a")
        second.deliverMessage("b")
        // A Worker's callback changed later reaches connections accepted from then on (as Workerman
        // copies them at accept), not the ones it has.
        worker.onMessage = { _, message in seen.append("changed \(message)") }
        first.deliverMessage("c")
        let third = TcpConnection.unconnected(protocol: Text.self, worker: worker)
        third.handlers = worker.connectionHandlers
        third.deliverMessage("d")
        XCTAssertEqual(seen, ["worker a", "own b", "worker c", "changed d"])
        XCTAssertNotNil(second.onMessage)
        first.onClose = { _ in }
        XCTAssertNotNil(first.onMessage, "setting one callback keeps the others")
        Worker.all.removeAll { $0 === worker }
    }

    func testConnectionsOfAStatelessProtocolShareOneDriver() {
        let text = Worker()
        text.protocol = Text.self
        let http = Worker()
        http.protocol = Http.self
        defer { Worker.all.removeAll { $0 === text || $0 === http } }
        let lines = (0..<2).map { _ in TcpConnection.unconnected(protocol: Text.self, worker: text) }
        XCTAssertTrue(lines[0].driver === lines[1].driver)
        let pages = (0..<2).map { _ in TcpConnection.unconnected(protocol: Http.self, worker: http) }
        XCTAssertFalse(pages[0].driver === pages[1].driver, "each HTTP connection keeps its own state")
        lines[1].protocol = Text.self
        XCTAssertFalse(lines[0].driver === lines[1].driver, "a protocol set on the connection starts afresh")
        XCTAssertTrue(lines[1].protocol == Text.self)
    }

    func testTransportNamesRoundTrip() {
        let connection = TcpConnection.unconnected(protocol: nil)
        XCTAssertEqual(connection.transport, "tcp")
        connection.transport = "ssl"
        XCTAssertEqual(connection.transport, "ssl")
        connection.transport = "quic"
        XCTAssertEqual(connection.transport, "quic")
        connection.transport = "unix"
        XCTAssertEqual(connection.transport, "unix")
    }

    func testSilenceIsMeasuredAcrossTheClockWrapping() {
        var quiet = QuietSince()
        let start: UInt64 = (UInt64(UInt32.max) << 24) - 1_000_000_000  // 1 s before the 32-bit ticks wrap
        quiet.note(bytesRead: 5, now: start)
        XCTAssertFalse(quiet.changed(5))
        XCTAssertTrue(quiet.changed(6))
        let silence = quiet.silence(now: start + 3_000_000_000)
        XCTAssertGreaterThan(silence, 2_900_000_000)
        XCTAssertLessThan(silence, 3_100_000_000)
    }
}
