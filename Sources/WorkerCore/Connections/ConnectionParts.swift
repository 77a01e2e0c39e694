import WorkermanTimer

extension TcpConnection {
    /// A connection's yes/no states, one bit each (an idle connection's memory counts).
    @usableFromInline
    struct Flags: OptionSet, Sendable {
        @usableFromInline let rawValue: UInt16
        @inlinable init(rawValue: UInt16) { self.rawValue = rawValue }

        // The bits are computed constants: an access in inlined code folds to the number.
        @inlinable static var isCorked: Flags { Flags(rawValue: 1 << 0) }
        @inlinable static var isPaused: Flags { Flags(rawValue: 1 << 1) }
        @inlinable static var isHeldBack: Flags { Flags(rawValue: 1 << 2) }
        static var isCounted: Flags { Flags(rawValue: 1 << 3) }
        static var isSending: Flags { Flags(rawValue: 1 << 4) }
        static var closeRequested: Flags { Flags(rawValue: 1 << 5) }
        static var isHandshaking: Flags { Flags(rawValue: 1 << 6) }
        static var securityWantsWrite: Flags { Flags(rawValue: 1 << 7) }
        static var isAnnounced: Flags { Flags(rawValue: 1 << 8) }

        /// Sets or clears `flag`.
        @inlinable @inline(__always)
        mutating func set(_ flag: Flags, _ on: Bool) {
            if on { formUnion(flag) } else { subtract(flag) }
        }
    }

    /// How a connection's bytes travel; the public `transport` names it.
    enum TransportKind: UInt8 {
        case tcp, unix, ssl
        /// A name set by the application and kept in `extras`.
        case other
    }
}

/// When a connection last received something, as the deadline sweep saw it: the low 32 bits of
/// `bytesRead` then, and the time in 1/64 s of `MonotonicClock` (32 bits wrap after two years: a
/// silence is measured with wrapping arithmetic, right up to that long).
struct QuietSince {
    private var bytes: UInt32 = 0
    private var ticks: UInt32 = 0

    private static func ticks(_ nanoseconds: UInt64) -> UInt32 { UInt32(truncatingIfNeeded: nanoseconds >> 24) }

    /// Notes `bytesRead` at `now` (monotonic ns).
    mutating func note(bytesRead: Int, now: UInt64) {
        bytes = UInt32(truncatingIfNeeded: bytesRead)
        ticks = Self.ticks(now)
    }

    /// True when `bytesRead` differs from what was noted.
    func changed(_ bytesRead: Int) -> Bool { bytes != UInt32(truncatingIfNeeded: bytesRead) }

    /// Nanoseconds since the note (in steps of 1/64 s, the clock's truncated ticks).
    func silence(now: UInt64) -> UInt64 { UInt64(Self.ticks(now) &- ticks) << 24 }
}

/// What few connections need, kept apart so that the others do not carry it: the TLS session, the
/// callback waiting for a handshake, the local address once asked for, an unusual transport name.
final class ConnectionExtras {
    var security: TransportSecuritySession?
    var pendingOnConnect: ((TcpConnection) -> Void)?
    var local: SocketAddress?
    var transportName: String?
}

/// A connection's callbacks. Every connection of a Worker shares one (`isShared`), made when the
/// Worker's callbacks were last set, as Workerman copies them onto each accepted connection; a
/// connection that sets one of its own gets a copy first.
@usableFromInline
final class ConnectionHandlers {
    // Read for every packet and set only by a connection's own setters, on the process's one
    // thread, never while a callback is being read: the run-time exclusivity checks are skipped.
    @usableFromInline @exclusivity(unchecked) var message: ((TcpConnection, Message) -> Void)?
    @exclusivity(unchecked) var close: ((TcpConnection) -> Void)?
    @exclusivity(unchecked) var bufferFull: ((TcpConnection) -> Void)?
    @exclusivity(unchecked) var bufferDrain: ((TcpConnection) -> Void)?
    @exclusivity(unchecked) var error: ((TcpConnection, ConnectionErrorCode, String) -> Void)?
    /// True when several connections hold it: it is not changed then.
    let isShared: Bool

    init(
        message: ((TcpConnection, Message) -> Void)?, close: ((TcpConnection) -> Void)?,
        bufferFull: ((TcpConnection) -> Void)?, bufferDrain: ((TcpConnection) -> Void)?,
        error: ((TcpConnection, ConnectionErrorCode, String) -> Void)?, isShared: Bool
    ) {
        self.message = message
        self.close = close
        self.bufferFull = bufferFull
        self.bufferDrain = bufferDrain
        self.error = error
        self.isShared = isShared
    }

    /// A copy one connection may change.
    func ownCopy() -> ConnectionHandlers {
        ConnectionHandlers(
            message: message, close: close, bufferFull: bufferFull, bufferDrain: bufferDrain, error: error,
            isShared: false)
    }
}

extension TcpConnection {
    /// The connection's own callbacks, copied from the shared ones first.
    final var ownHandlers: ConnectionHandlers {
        if let handlers, !handlers.isShared { return handlers }
        let own =
            handlers?.ownCopy()
            ?? ConnectionHandlers(
                message: nil, close: nil, bufferFull: nil, bufferDrain: nil, error: nil, isShared: false)
        handlers = own
        return own
    }

    final var messageHandler: ((TcpConnection, Message) -> Void)? {
        get { handlers?.message }
        set { ownHandlers.message = newValue }
    }
    final var closeHandler: ((TcpConnection) -> Void)? {
        get { handlers?.close }
        set { ownHandlers.close = newValue }
    }
    final var bufferFullHandler: ((TcpConnection) -> Void)? {
        get { handlers?.bufferFull }
        set { ownHandlers.bufferFull = newValue }
    }
    final var bufferDrainHandler: ((TcpConnection) -> Void)? {
        get { handlers?.bufferDrain }
        set { ownHandlers.bufferDrain = newValue }
    }
    final var errorHandler: ((TcpConnection, ConnectionErrorCode, String) -> Void)? {
        get { handlers?.error }
        set { ownHandlers.error = newValue }
    }
}
