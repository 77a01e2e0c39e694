import Workerman
import WorkermanTestSupport
import XCTest

/// A test case whose servers run on this process's event loop while clients run on threads.
class ServerTestCase: XCTestCase {
    private var started: [Worker] = []

    /// A Worker on `address` (port 0: the kernel picks), configured and listening.
    func startWorker(_ address: String, _ configure: (Worker) -> Void = { _ in }) throws -> Worker {
        let worker = Worker(address)
        configure(worker)
        try worker.listen()
        started.append(worker)
        return worker
    }

    override func tearDown() {
        for worker in started {
            for connection in worker.connections.values { connection.destroy() }
            worker.unlisten()
        }
        started.removeAll()
        Timer.delAll()
        // Let closes and deferred work settle so the next test starts from a quiet loop.
        for _ in 0..<3 { EventLoop.current.runOnce(maxWait: 0) }
        super.tearDown()
    }
}

extension Worker {
    /// The port the kernel gave the listener.
    var port: Int { Int(localAddress?.port ?? 0) }
}

/// A test protocol that cuts and decodes lines as Text does; conformers write only `encode`.
protocol TextFramed: WireProtocol {}

extension TextFramed {
    static func input(_ buffer: ByteView, connection: Connection) -> InputResult {
        Text.input(buffer, connection: connection)
    }

    static func decode(_ packet: ByteView, connection: Connection) throws -> Message? {
        try Text.decode(packet, connection: connection)
    }
}

/// Frame-encodes `payload` for the wire (4-byte big-endian length counting itself).
func frame(_ payload: [UInt8]) -> [UInt8] {
    let length = UInt32(payload.count + 4)
    return [UInt8(length >> 24), UInt8(length >> 16 & 0xff), UInt8(length >> 8 & 0xff), UInt8(length & 0xff)] + payload
}
