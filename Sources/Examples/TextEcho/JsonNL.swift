import Foundation
import Workerman

/// The manual's JsonNL protocol (§ custom protocols): one JSON value per line.
///
/// input: the position of "\n" plus one, or wait; decode: the JSON value (as Foundation's
/// JSONSerialization reads it); encode: the value as JSON, then "\n".
enum JsonNL: WireProtocol {
    static func input(_ buffer: ByteView, connection: Connection) -> InputResult {
        guard let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) else { return .needMore }
        return .packet(length: newline + 1)
    }

    static func decode(_ packet: ByteView, connection: Connection) throws -> Message? {
        let line = Data(packet.slice(0..<packet.count - 1).buffer)
        return .object(try JSONSerialization.jsonObject(with: line, options: [.fragmentsAllowed]))
    }

    static func encode(_ message: Message, connection: Connection, into buffer: inout ByteBuffer) throws {
        let value: Any
        switch message {
        case .object(let object): value = object
        case .text(let text): value = text
        case .binary(let bytes): value = String(decoding: bytes, as: UTF8.self)
        }
        let json = try JSONSerialization.data(withJSONObject: value, options: [.fragmentsAllowed, .sortedKeys])
        buffer.writeBytes(json)
        buffer.writeInteger(UInt8(ascii: "\n"))
    }
}
