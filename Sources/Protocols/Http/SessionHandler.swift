/// Where sessions are kept (PHP's `SessionHandlerInterface`, Workerman's session handlers): set
/// `worker.http.session.handler` to your own to keep them in Redis, a database, shared memory.
///
/// Ids are checked before they reach a handler (letters, digits, "-" and ","; 16 to 128 of them),
/// so a handler may use them in file names and keys as they are. Every call happens in the worker's
/// one thread; a handler that blocks (a network store) blocks the worker meanwhile.
public protocol SessionHandler: AnyObject {
    /// The stored data of session `id`, or nil when there is none or it expired (older than
    /// `maxLifetime` seconds since its last write or touch).
    func read(_ id: String, maxLifetime: Int) -> [UInt8]?
    /// Stores `data` as session `id`; false when it could not.
    @discardableResult
    func write(_ id: String, _ data: [UInt8]) -> Bool
    /// Marks session `id` as used now without changing its data (PHP's `updateTimestamp`).
    func touch(_ id: String)
    /// Removes session `id`.
    func destroy(_ id: String)
    /// Removes every session unused for more than `maxLifetime` seconds.
    func collectGarbage(maxLifetime: Int)
}
