/// The header field lists of recent responses, each validated and written out once: a response whose
/// headers are the same array as an earlier one reuses its summary and its wire form instead of
/// checking and copying every field again. A literal of constant strings
/// (`["Content-Type": "text/plain"]`) is one constant array however often it is evaluated, and a
/// `Response` sent again keeps its array, so those are found here.
///
/// Entries are found by the identity of the array's storage, which is exact: an entry keeps its
/// array, so the storage stays alive (its address is not reused) and stays shared (a change to the
/// fields copies them into a new storage first).
///
/// One per process, used by the encoder on the process's one thread; unchecked exclusivity (no
/// run-time check per response): private, and never accessed inout across a call.
enum ResponseFieldCache {
    /// The most field lists kept; the oldest one is replaced by a new one.
    static let capacity = 8

    /// One field list and what the encoder needs of it.
    private struct Entry {
        /// The storage of `fields`, compared with that of the list looked up.
        let identity: UnsafeRawPointer?
        /// The list, kept so that its storage stays alive and shared.
        let fields: [(name: String, value: String)]
        let summary: ResponseFieldSummary
        /// "Name: value\r\n" of every field, in memory the cache owns (no reference counting per
        /// use): made when the list is used a second time, valid and without framing fields (those the
        /// encoder leaves out or writes itself).
        var wire: UnsafeMutableRawBufferPointer?
    }

    @exclusivity(unchecked) nonisolated(unsafe) private static var entries: [Entry] = []
    @exclusivity(unchecked) nonisolated(unsafe) private static var nextReplaced = 0

    /// What the cache knows of a list of fields.
    struct Found {
        /// The list's summary.
        let summary: ResponseFieldSummary
        /// The list's wire form, for a valid list without framing fields seen before; valid until
        /// the next lookup.
        let wire: UnsafeRawBufferPointer?
    }

    /// The summary of `fields` and, for a list seen before, its wire form; a new list is validated
    /// and kept.
    @inline(__always)
    static func lookup(_ fields: [(name: String, value: String)]) -> Found {
        let identity = fields.withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress) }
        // The common case inline: a list written out before.
        for index in entries.indices where entries[index].identity == identity {
            if let wire = entries[index].wire {
                return Found(summary: entries[index].summary, wire: UnsafeRawBufferPointer(wire))
            }
            break
        }
        return lookUpOrAdd(fields, identity: identity)
    }

    /// `lookup` for a list not written out yet (`lookup` answered those with a wire form).
    private static func lookUpOrAdd(_ fields: [(name: String, value: String)], identity: UnsafeRawPointer?) -> Found {
        for index in entries.indices where entries[index].identity == identity {
            let summary = entries[index].summary
            guard summary.problem == nil, !summary.hasFramingField else { return Found(summary: summary, wire: nil) }
            let wire = wireForm(of: fields)
            entries[index].wire = wire
            return Found(summary: summary, wire: UnsafeRawBufferPointer(wire))
        }
        let summary = ResponseFieldSummary(fields)
        let entry = Entry(identity: identity, fields: fields, summary: summary)
        if entries.count < capacity {
            entries.append(entry)
        } else {
            entries[nextReplaced].wire?.deallocate()
            entries[nextReplaced] = entry
            nextReplaced = (nextReplaced + 1) % capacity
        }
        return Found(summary: summary, wire: nil)
    }

    /// Forgets every list (for tests).
    static func removeAll() {
        for entry in entries { entry.wire?.deallocate() }
        entries = []
        nextReplaced = 0
    }

    /// The number of lists kept (for tests).
    static var count: Int { entries.count }

    /// "Name: value\r\n" of each field, in memory allocated for it.
    private static func wireForm(of fields: [(name: String, value: String)]) -> UnsafeMutableRawBufferPointer {
        var wire: [UInt8] = []
        for (name, value) in fields {
            wire.append(contentsOf: name.utf8)
            wire.append(contentsOf: ": ".utf8)
            wire.append(contentsOf: value.utf8)
            wire.append(contentsOf: "\r\n".utf8)
        }
        let memory = UnsafeMutableRawBufferPointer.allocate(byteCount: max(wire.count, 1), alignment: 1)
        memory.copyBytes(from: wire)
        return UnsafeMutableRawBufferPointer(rebasing: memory[0..<wire.count])
    }
}
