/// Checks a `WireProtocol` the way a connection will drive it, without a socket: the same bytes fed
/// whole, one byte at a time and in random splits must give the same messages (SwiftNIO's
/// `ByteToMessageDecoderVerifier` idea). Use it in the tests of your own protocols.
///
/// ```swift
/// let failures = WireProtocolVerifier.verify(Text.self, input: Array("a\nb\n".utf8), expecting: ["a", "b"])
/// XCTAssertEqual(failures, [])
/// ```
public enum WireProtocolVerifier {
    /// What feeding some chunks produced.
    public struct Outcome: Equatable {
        /// The decoded messages, in order (a protocol's own type as `message(from:)` gives it).
        public var messages: [Message] = []
        /// Bytes received but not (yet) part of a complete packet.
        public var leftover = 0
        /// Why the protocol refused the input, if it did (the connection would be closed).
        public var error: String?
        /// What the protocol answered by itself (`.reply`, `.replyAndClose`, a `ProtocolError`'s reply).
        public var replies: [[UInt8]] = []
    }

    /// Feeds `chunks` one after another, as reads would deliver them, cutting every complete packet.
    /// With a `worker`, the protocol reads that Worker's settings.
    public static func feed<P: StatefulWireProtocol>(
        _ wire: P.Type, chunks: [[UInt8]], maxPackageSize: Int = TcpConnection.defaultMaxPackageSize,
        worker: Worker? = nil
    ) -> Outcome {
        let connection = TcpConnection.unconnected(protocol: wire, worker: worker)
        connection.maxPackageSize = maxPackageSize
        var state = P.makeState(for: connection)
        P.opened(state: &state, connection: connection)
        var outcome = Outcome()
        var pending: [UInt8] = []
        for chunk in chunks {
            pending += chunk
            var consumed = 0
            pending.withUnsafeBytes { raw in
                while consumed < raw.count && outcome.error == nil {
                    let rest = ByteView(UnsafeRawBufferPointer(rebasing: raw[consumed...]))
                    switch P.input(rest, state: &state, connection: connection) {
                    case .needMore:
                        return
                    case .invalid(let reason):
                        outcome.error = reason
                    case .reply(let bytes):
                        outcome.replies.append(bytes)
                    case .replyAndClose(let bytes, let reason):
                        outcome.replies.append(bytes)
                        outcome.error = reason
                    case .packet(let length) where length <= 0 || length > maxPackageSize:
                        outcome.error = "packet length \(length) outside 1...\(maxPackageSize)"
                    case .packet(let length):
                        guard rest.count >= length else { return }
                        do {
                            if let inbound = try P.decode(rest.slice(0..<length), state: &state, connection: connection)
                            {
                                outcome.messages.append(P.message(from: inbound))
                            }
                        } catch let error as ProtocolError {
                            if !error.reply.isEmpty { outcome.replies.append(error.reply) }
                            outcome.error = "decode: \(error)"
                        } catch {
                            outcome.error = "decode: \(error)"
                        }
                        consumed += length
                    }
                }
            }
            pending.removeFirst(consumed)
            if outcome.error != nil { break }
        }
        outcome.leftover = pending.count
        return outcome
    }

    /// `bytes` whole, byte by byte, and in `randomSplits` random splits (reproducible from `seed`).
    public static func splits(of bytes: [UInt8], randomSplits: Int = 20, seed: UInt64 = 1) -> [[[UInt8]]] {
        var result: [[[UInt8]]] = [[bytes], bytes.map { [$0] }]
        var generator = SplitMix64(seed: seed)
        for _ in 0..<randomSplits {
            var chunks: [[UInt8]] = []
            var start = 0
            while start < bytes.count {
                let length = Int(generator.next() % UInt64(max(1, min(bytes.count - start, 64)))) + 1
                chunks.append(Array(bytes[start..<min(bytes.count, start + length)]))
                start += length
            }
            result.append(chunks)
        }
        return result
    }

    /// Feeds `input` in every split and compares with `expected`; returns a description of each
    /// split that decoded differently (empty when all agree).
    public static func verify<P: StatefulWireProtocol>(
        _ wire: P.Type, input: [UInt8], expecting expected: [Message], leftover: Int = 0
    ) -> [String] {
        var failures: [String] = []
        for (index, chunks) in splits(of: input).enumerated() {
            let outcome = feed(wire, chunks: chunks)
            if outcome.messages != expected || outcome.leftover != leftover || outcome.error != nil {
                let name = index == 0 ? "whole" : index == 1 ? "byte by byte" : "random split \(index - 1)"
                failures.append(
                    "\(name): got \(outcome.messages.map(\.string)) leftover \(outcome.leftover) error \(outcome.error ?? "none")"
                )
            }
        }
        return failures
    }
}

/// A small, seedable random generator (so failing splits can be reproduced).
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
