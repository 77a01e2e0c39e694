import Glibc
import Workerman
import WorkermanTestSupport
import XCTest

/// What a server connection's WebSocket session keeps once the handshake and a message are over:
/// one small block, and the handshake request only when something asked to read it later.
final class WebSocketIdleMemoryTests: XCTestCase {
    /// A server session after the handshake (for "/chat?room=1") and one text message, both fed
    /// through the protocol's `input` and `decode`; `configure` sets its options first.
    private func idleSession(
        file: StaticString = #filePath, line: UInt = #line, _ configure: (WebSocketSession) -> Void = { _ in }
    ) -> WebSocketSession {
        let connection = TcpConnection.unconnected(protocol: WebSocket.self)
        var session = WebSocket.makeState(for: connection)
        configure(session)
        var pending =
            Array(WebSocketTestClient.request(path: "/chat?room=1").utf8)
            + WebSocketTestFrame.text("hello, idle world").encoded()
        var messages: [Message] = []
        while !pending.isEmpty {
            let length: Int? = pending.withUnsafeBytes { raw in
                guard case .packet(let length) = WebSocket.input(ByteView(raw), state: &session, connection: connection)
                else { return nil }
                let packet = ByteView(raw).slice(0..<length)
                if let message = try? WebSocket.decode(packet, state: &session, connection: connection) {
                    messages.append(message)
                }
                return length
            }
            guard let length else { break }
            pending.removeFirst(length)
        }
        XCTAssertEqual(messages, [.text("hello, idle world")], file: file, line: line)
        XCTAssertTrue(session.isOpen, file: file, line: line)
        return session
    }

    func testAnIdleSessionIsOneSmallBlockAndKeepsNoRequest() {
        let session = idleSession()
        XCTAssertNil(session.request)
        // The session object itself: its options are the Worker's (shared), and nothing of the
        // handshake, the heartbeat or the client side is held.
        let bytes = Self.allocatedSize(of: session)
        XCTAssertLessThanOrEqual(bytes, 160, "an idle session takes \(bytes) bytes")
    }

    /// The bytes malloc gave `object` (glibc's `malloc_usable_size`, which no Swift module map exports).
    private static func allocatedSize(of object: AnyObject) -> Int {
        typealias UsableSize = @convention(c) (UnsafeMutableRawPointer?) -> Int
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_usable_size") else {
            XCTFail("malloc_usable_size not found")
            return .max
        }
        return unsafeBitCast(symbol, to: UsableSize.self)(Unmanaged.passUnretained(object).toOpaque())
    }

    func testTheRequestIsKeptForAnOnWebSocketConnectHook() {
        var pathInHook: String?
        let session = idleSession { $0.options.onWebSocketConnect = { _, request, _ in pathInHook = request.path } }
        XCTAssertEqual(pathInHook, "/chat")
        XCTAssertEqual(session.request?.path, "/chat")
        XCTAssertEqual(session.request?.query["room"], "1")
        XCTAssertEqual(session.request?.header("upgrade")?.lowercased(), "websocket")
    }

    func testTheRequestIsKeptWhenTheOptionAsks() {
        let session = idleSession { $0.keepsHandshakeRequest = true }
        XCTAssertEqual(session.request?.method, "GET")
        XCTAssertEqual(session.request?.uri, "/chat?room=1")
    }

    func testSessionsShareTheirWorkersOptionsUntilOneChanges() {
        var options = WebSocketOptions()
        options.pingInterval = 30
        var copy = options
        copy.pingInterval = 5
        copy.headers = [("X-Copy", "1")]
        XCTAssertEqual(options.pingInterval, 30)
        XCTAssertTrue(options.headers.isEmpty)
        XCTAssertEqual(copy.pingInterval, 5)
        XCTAssertEqual(copy.headers.first?.name, "X-Copy")
    }
}
