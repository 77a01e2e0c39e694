import Glibc
import XCTest

@testable import WorkermanCore

/// An idle connection's send queue holds no memory, and bytes that must wait do not keep the
/// loop's large reusable buffer.
final class SendQueueMemoryTests: XCTestCase {
    private var fds: [Int32] = [-1, -1]

    override func setUpWithError() throws {
        XCTAssertEqual(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds), 0)
        try Sys.setNonBlocking(fds[0])
    }

    override func tearDown() {
        for fd in fds where fd >= 0 { close(fd) }
    }

    private func bytes(_ count: Int) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writeBytes([UInt8](repeating: 42, count: count))
        return buffer
    }

    func testADrainedQueueHoldsNothing() throws {
        let loop = EventLoop.current
        var queue = SendQueue()
        XCTAssertEqual(queue.storedCapacity, 0)
        var reply = bytes(23)
        queue.append(copying: &reply, loop)
        queue.append(copying: &reply, loop)
        XCTAssertEqual(queue.byteCount, 46)
        XCTAssertEqual(
            queue.storedCapacity, EventLoop.scratchCapacity, "the first bytes go into the loop's spare buffer")
        guard case .processed(true) = try queue.flush(to: fds[0]) else { return XCTFail("not all written") }
        queue.settle(loop)
        XCTAssertEqual(queue.storedCapacity, 0, "drained: the buffer went back to the loop")
        var received = [UInt8](repeating: 0, count: 100)
        XCTAssertEqual(recv(fds[1], &received, 100, 0), 46)
    }

    func testBytesThatWaitMoveToABufferOfTheirOwnSize() throws {
        let loop = EventLoop.current
        // Fill the kernel's buffer so that the queue cannot be written.
        let chunk = [UInt8](repeating: 1, count: 65536)
        while chunk.withUnsafeBytes({ send(fds[0], $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }) > 0 {}
        var queue = SendQueue()
        var reply = bytes(100)
        queue.append(copying: &reply, loop)
        guard case .wouldBlock = try queue.flush(to: fds[0]) else { return XCTFail("the kernel's buffer took more") }
        queue.settle(loop)
        XCTAssertEqual(queue.byteCount, 100)
        XCTAssertEqual(queue.storedCapacity, SendQueue.minimumBuffer)
        // A large reply still gets a buffer of its own, and everything goes out in order.
        var large = bytes(SendQueue.coalesceLimit + 1)
        queue.append(copying: &large, loop)
        XCTAssertEqual(queue.byteCount, 100 + SendQueue.coalesceLimit + 1)
        var drain = [UInt8](repeating: 0, count: 1 << 20)
        var total = 0
        for _ in 0..<1000 where !queue.isEmpty {
            total += max(0, recv(fds[1], &drain, drain.count, Int32(MSG_DONTWAIT)))
            _ = try queue.flush(to: fds[0])
        }
        XCTAssertTrue(queue.isEmpty)
        queue.settle(loop)
        XCTAssertEqual(queue.storedCapacity, 0)
    }
}
