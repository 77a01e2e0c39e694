import Glibc

/// One WebSocket frame as a test peer builds or reads it, byte for byte (so a test can also
/// build frames no real client would send).
public struct WebSocketTestFrame: Equatable, Sendable {
    /// The opcode (1 text, 2 binary, 8 close, 9 ping, 10 pong, 0 continuation).
    public var opcode: UInt8
    /// The payload, unmasked.
    public var payload: [UInt8]
    /// FIN.
    public var isFinal: Bool
    /// RSV1-RSV3 as the 0x70 bits of the first byte.
    public var reservedBits: UInt8

    /// A frame with the given fields.
    public init(opcode: UInt8, payload: [UInt8] = [], isFinal: Bool = true, reservedBits: UInt8 = 0) {
        self.opcode = opcode
        self.payload = payload
        self.isFinal = isFinal
        self.reservedBits = reservedBits
    }

    /// A final text frame.
    public static func text(_ text: String) -> WebSocketTestFrame { .init(opcode: 1, payload: Array(text.utf8)) }

    /// A close frame with `code`.
    public static func close(_ code: UInt16, _ reason: String = "") -> WebSocketTestFrame {
        .init(opcode: 8, payload: [UInt8(code >> 8), UInt8(code & 0xFF)] + Array(reason.utf8))
    }

    /// The code in a close frame's payload, if any.
    public var closeCode: UInt16? {
        payload.count >= 2 ? UInt16(payload[0]) << 8 | UInt16(payload[1]) : nil
    }

    /// The wire bytes, masked with `mask` (a client's frame) or unmasked when it is nil.
    public func encoded(mask: [UInt8]? = [0x37, 0xFA, 0x21, 0x3D]) -> [UInt8] {
        var bytes: [UInt8] = [(isFinal ? 0x80 : 0) | reservedBits | opcode]
        let maskBit: UInt8 = mask == nil ? 0 : 0x80
        if payload.count < 126 {
            bytes.append(maskBit | UInt8(payload.count))
        } else if payload.count <= 0xFFFF {
            bytes += [maskBit | 126, UInt8(payload.count >> 8), UInt8(payload.count & 0xFF)]
        } else {
            bytes.append(maskBit | 127)
            bytes += (0..<8).map { UInt8(truncatingIfNeeded: UInt64(payload.count) >> (56 - 8 * $0)) }
        }
        guard let mask else { return bytes + payload }
        return bytes + mask + payload.enumerated().map { $0.element ^ mask[$0.offset & 3] }
    }
}

/// A blocking WebSocket client for tests: a raw handshake, then frames written and read one by one.
public final class WebSocketTestClient: @unchecked Sendable {
    /// The socket.
    public let socket: BlockingClient
    /// The server's handshake response head, blank line included.
    public private(set) var responseHead = ""

    /// Connects to 127.0.0.1:`port`; call `handshake` next, or send raw bytes through `socket`.
    public init(port: Int, timeout: Double = 5) throws {
        socket = try BlockingClient(port: port, timeout: timeout)
        socket.setNoDelay()
    }

    /// The handshake request for `path` with the RFC 6455 sample key and `extraHeaders` ("Name: value\r\n" lines).
    public static func request(path: String = "/", extraHeaders: String = "", version: String = "13") -> String {
        "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: \(version)\r\n\(extraHeaders)\r\n"
    }

    /// The accept value of the sample key (RFC 6455 §1.3).
    public static let sampleAccept = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="

    /// Sends a handshake request and reads the response head; returns it.
    @discardableResult
    public func handshake(path: String = "/", extraHeaders: String = "") throws -> String {
        try socket.send(Self.request(path: path, extraHeaders: extraHeaders))
        responseHead = try readHead()
        return responseHead
    }

    /// Reads bytes up to and including the first blank line, one byte at a time (so no frame
    /// bytes after it are consumed).
    public func readHead() throws -> String {
        var bytes: [UInt8] = []
        while !(bytes.count >= 4 && Array(bytes.suffix(4)) == Array("\r\n\r\n".utf8)) {
            bytes += try socket.receive(count: 1)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Writes `frame`, masked unless `mask` is nil.
    public func send(_ frame: WebSocketTestFrame, mask: [UInt8]? = [0x37, 0xFA, 0x21, 0x3D]) throws {
        try socket.send(frame.encoded(mask: mask))
    }

    /// Reads the next frame (an unmasked server frame, or a masked one, which is unmasked).
    public func receive() throws -> WebSocketTestFrame {
        let head = try socket.receive(count: 2)
        var length = Int(head[1] & 0x7F)
        if length == 126 {
            length = try socket.receive(count: 2).reduce(0) { $0 << 8 | Int($1) }
        } else if length == 127 {
            length = try socket.receive(count: 8).reduce(0) { $0 << 8 | Int($1) }
        }
        let mask = head[1] & 0x80 != 0 ? try socket.receive(count: 4) : nil
        var payload = try socket.receive(count: length)
        if let mask { payload = payload.enumerated().map { $0.element ^ mask[$0.offset & 3] } }
        return WebSocketTestFrame(
            opcode: head[0] & 0x0F, payload: payload, isFinal: head[0] & 0x80 != 0, reservedBits: head[0] & 0x70)
    }

    /// Reads frames until a close frame; returns its code (nil when it had none). Throws if the
    /// connection ends first.
    public func receiveClose() throws -> UInt16? {
        while true {
            let frame = try receive()
            if frame.opcode == 8 { return frame.closeCode }
        }
    }

    /// Closes the socket.
    public func close() { socket.close() }
}
