import XCTest

@testable import WorkermanCore
@testable import WorkermanProtocols

/// glibc's `malloc_usable_size` (declared in <malloc.h>, which Glibc's module map leaves out).
@_silgen_name("malloc_usable_size")
private func mallocUsableSize(_ pointer: UnsafeMutableRawPointer) -> Int

/// What an idle HTTP connection keeps of the protocol's own: its state after one exchange, and
/// what hangs off it.
final class HttpConnectionMemoryTests: XCTestCase {
    /// The heap bytes of the object `object` (its malloc'd block).
    private func heapSize(_ object: AnyObject) -> Int {
        mallocUsableSize(Unmanaged.passUnretained(object).toOpaque())
    }

    func testAnIdleConnectionsStateIsSmall() throws {
        let connection = TcpConnection.unconnected(protocol: Http.self)
        var state = Http.makeState(for: connection)
        Http.opened(state: &state, connection: connection)
        let wire = Array("GET / HTTP/1.1\r\nHost: a\r\n\r\n".utf8)
        let request: Request? = try wire.withUnsafeBytes { raw in
            let view = ByteView(raw)
            guard case .packet(let length) = Http.input(view, state: &state, connection: connection) else {
                return nil
            }
            return try Http.decode(view.slice(0..<length), state: &state, connection: connection)
        }
        XCTAssertEqual(request?.uri, "/")
        var buffer = ByteBuffer(capacity: 256)
        try Http.encode(.text("hi"), state: &state, connection: connection, into: &buffer)
        XCTAssertTrue(state.isIdle)
        let size = heapSize(state)
        print("HttpConnectionState: \(size) bytes")
        XCTAssertLessThanOrEqual(size, 88)
    }
}
