import Glibc
import Workerman
import WorkermanTestSupport
import XCTest

/// A connection whose interest change epoll refuses is closed with a logged reason, not left open
/// with a queue that will never be written.
final class InterestFailureTests: ServerTestCase {
    func testARefusedInterestChangeClosesTheConnection() throws {
        var pair: [Int32] = [-1, -1]
        XCTAssertEqual(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &pair), 0)
        defer { for fd in pair { close(fd) } }
        // Fill one end, so that a write to it takes nothing and the rest must wait for EPOLLOUT.
        _ = fcntl(pair[0], F_SETFL, fcntl(pair[0], F_GETFL) | O_NONBLOCK)
        let chunk = [UInt8](repeating: 0x61, count: 64 * 1024)
        while chunk.withUnsafeBytes({ send(pair[0], $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }) > 0 {}

        var result: SendResult?
        var stateAfterSend: TcpConnection.State?
        var closed = 0
        let worker = try startWorker("tcp://127.0.0.1:0") { worker in
            worker.onConnect = { connection in
                // The socket is replaced behind the loop's back: epoll forgets it, EPOLL_CTL_MOD fails.
                dup2(pair[0], connection.fd)
                result = connection.send("queued for ever?")
                stateAfterSend = connection.state
            }
            worker.onClose = { _ in closed += 1 }
        }
        let port = worker.port
        XCTAssertTrue(try runWithClient { _ = try BlockingClient(port: port, timeout: 5) })
        XCTAssertTrue(spinLoop(timeout: 5) { stateAfterSend != nil })
        XCTAssertEqual(result, .failed)
        XCTAssertEqual(stateAfterSend, .closed)
        XCTAssertEqual(closed, 1, "onClose ran")
        XCTAssertTrue(worker.connections.isEmpty)
    }
}
