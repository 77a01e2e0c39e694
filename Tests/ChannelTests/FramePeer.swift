import Glibc
import WorkermanTestSupport

/// A blocking client speaking the `frame` protocol byte by byte: an independent peer for the Channel
/// and GlobalData servers, so the tests check the documented wire format, not just our own client.
final class FramePeer {
    let client: BlockingClient
    private var pending: [UInt8] = []

    init(port: Int, timeout: Double = 2) throws {
        client = try BlockingClient(port: port, timeout: timeout)
        client.setNoDelay()
    }

    /// Sends `payload` after its 4-byte big-endian length (counting the header).
    func send(_ payload: [UInt8]) throws {
        let length = UInt32(payload.count + 4)
        try client.send(
            [UInt8(length >> 24), UInt8(length >> 16 & 0xff), UInt8(length >> 8 & 0xff), UInt8(length & 0xff)] + payload
        )
    }

    /// The next frame's payload; throws after the timeout or at end of file.
    func receive() throws -> [UInt8] {
        while true {
            if pending.count >= 4 {
                let length = Int(pending[0]) << 24 | Int(pending[1]) << 16 | Int(pending[2]) << 8 | Int(pending[3])
                if pending.count >= length {
                    let payload = Array(pending[4..<length])
                    pending.removeFirst(length)
                    return payload
                }
            }
            let chunk = try client.receiveSome()
            guard !chunk.isEmpty else { throw BlockingClient.Failure("closed by the server") }
            pending += chunk
        }
    }

    /// True when the server closes the connection within the timeout (after any pending frames).
    func isClosedByServer() -> Bool {
        while true {
            guard let chunk = try? client.receiveSome() else { return false }
            if chunk.isEmpty { return true }
        }
    }

    func close() { client.close() }
}

/// Runs the event loop for `seconds` (the in-process servers and clients work meanwhile).
func pump(_ seconds: Double) { spinLoop(timeout: seconds) { false } }
