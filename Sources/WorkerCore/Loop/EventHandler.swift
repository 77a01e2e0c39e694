/// Something the event loop watches: it is told when its descriptor can be read or written.
///
/// Errors and hang-ups arrive as readiness: the next read or write on the descriptor reports them.
protocol EventHandler: AnyObject {
    /// The descriptor has data, a pending connection, end of file, or an error.
    func handleReadable()
    /// The descriptor can take more bytes, a connect finished, or it has an error.
    func handleWritable()
    /// The peer hung up or the socket failed while neither reading nor writing was wanted.
    func handleHangup()
}

extension EventHandler {
    func handleWritable() {}
    func handleHangup() { handleReadable() }
}

/// The readiness an `EventHandler` wants to hear about.
struct Interest: OptionSet {
    let rawValue: UInt8
    static let read = Interest(rawValue: 1)
    static let write = Interest(rawValue: 2)
}
