import WorkermanCore

/// One GlobalData operation, as a client sends it and the server applies it.
///
/// Wire format: Workerman's `frame` protocol (4-byte big-endian length counting itself), each
/// payload one MessagePack array (see `MessagePackWriter` for why MessagePack):
///
/// | request                        | reply                                                  |
/// |--------------------------------|--------------------------------------------------------|
/// | `[1, key]` get                 | `[0]` no such key, `[0, value]`                        |
/// | `[2, key, value]` set          | `[0]`                                                  |
/// | `[3, key]` isset               | `[0, bool]`                                            |
/// | `[4, key]` unset               | `[0, bool]` (whether it existed)                       |
/// | `[5, key, value]` add          | `[0, bool]` (false: the key exists, nothing changed)   |
/// | `[6, key, [] or [old], new]`   | `[0, bool]` cas: swapped when the current value equals |
/// |                                | `old` (`[]`: when the key is missing)                  |
/// | `[7, key, step]` increment     | `[0, new value]` (a missing key counts as 0)           |
///
/// A request the server cannot parse gets `[1, "reason"]` and the connection is closed. An
/// increment the rules refuse (see `GlobalDataClient.increment`) gets `[2, "reason"]` (the value
/// is not a number) or `[3, "reason"]` (64-bit overflow), and nothing changes. An empty
/// frame is a ping and gets no reply. Replies come in request order.
public enum GlobalDataRequest: Equatable, Sendable {
    /// Read a key.
    case get(String)
    /// Store a value.
    case set(String, Value)
    /// Whether a key exists (a stored `.null` counts: unlike PHP's `isset`, null is a value).
    case isset(String)
    /// Delete a key.
    case unset(String)
    /// Store only when the key is missing.
    case add(String, Value)
    /// Replace `expected` (nil: the key is missing) with the new value, atomically.
    case cas(String, expected: Value?, new: Value)
    /// Add `step` (an `.int` or `.double`) to a numeric value (a missing key counts as 0); see
    /// `GlobalDataClient.increment` for the rules.
    case increment(String, step: Value)

    /// The key the request is about (which also picks the server of a cluster).
    public var key: String {
        switch self {
        case .get(let key), .set(let key, _), .isset(let key), .unset(let key), .add(let key, _): return key
        case .cas(let key, _, _), .increment(let key, _): return key
        }
    }

    /// Appends the request's MessagePack array.
    func write(into buffer: inout ByteBuffer) {
        func header(_ count: Int, _ operation: Int64) {
            MessagePackWriter.writeArrayHeader(count: count, into: &buffer)
            MessagePackWriter.writeInteger(operation, into: &buffer)
            MessagePackWriter.writeString(key, into: &buffer)
        }
        switch self {
        case .get: header(2, 1)
        case .set(_, let value):
            header(3, 2)
            MessagePackWriter.write(value, into: &buffer)
        case .isset: header(2, 3)
        case .unset: header(2, 4)
        case .add(_, let value):
            header(3, 5)
            MessagePackWriter.write(value, into: &buffer)
        case .cas(_, let expected, let new):
            header(4, 6)
            MessagePackWriter.write(.array(expected.map { [$0] } ?? []), into: &buffer)
            MessagePackWriter.write(new, into: &buffer)
        case .increment(_, let step):
            header(3, 7)
            MessagePackWriter.write(step, into: &buffer)
        }
    }

    /// Parses a request payload.
    init(payload: ByteView) throws(MessagePackError) {
        var reader = MessagePackReader(payload)
        let count = try reader.readArrayHeader()
        guard count >= 2 else { throw MessagePackError("a request needs an operation and a key") }
        let operation = try reader.readInteger()
        let key = try reader.readString()
        func argument() throws(MessagePackError) -> Value {
            guard reader.offset < payload.count else { throw MessagePackError("operation \(operation) needs more") }
            return try reader.readValue()
        }
        switch (operation, count) {
        case (1, 2): self = .get(key)
        case (2, 3): self = .set(key, try argument())
        case (3, 2): self = .isset(key)
        case (4, 2): self = .unset(key)
        case (5, 3): self = .add(key, try argument())
        case (6, 4):
            guard let expected = try argument().array, expected.count <= 1 else {
                throw MessagePackError("cas expects [] or [old]")
            }
            self = .cas(key, expected: expected.first, new: try argument())
        case (7, 3):
            let step = try argument()
            guard step.double != nil else { throw MessagePackError("increment step must be a number") }
            self = .increment(key, step: step)
        default: throw MessagePackError("unknown operation \(operation) with \(count) elements")
        }
        guard reader.isAtEnd else { throw MessagePackError("bytes after the request") }
    }
}
