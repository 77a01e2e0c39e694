import Glibc

/// A TCP or unix-socket stream connection: accepted by a Worker, or made by `AsyncTcpConnection`.
///
/// Reading cuts the stream into packets with the connection's protocol and calls `onMessage` for
/// each. `send` writes at once when it can and queues the rest in an application-level send buffer
/// limited by `maxSendBufferSize` (see `send(_:raw:)`). `close` flushes before closing, `destroy`
/// does not; `onClose` runs exactly once either way.
///
/// The fields the packet loop touches for every packet are `@exclusivity(unchecked)`: plain values set
/// and read on the process's one thread, never held in an inout access across a call.
public class TcpConnection: Connection, EventHandler {
    /// Where a connection is in its life (Workerman's status numbers).
    public enum State: Int, Sendable {
        case initial = 0
        case connecting = 1
        case established = 2
        case closing = 8
        case closed = 16
    }

    // The stored properties below skip run-time exclusivity checks (`@exclusivity(unchecked)`): they
    // are read and written several times per packet, on the process's one thread, and the connection
    // never holds an access to one across a call that could reach it again (the receive buffer is
    // taken out before its packets are delivered; the send queue's `append`/`flush` call no code of
    // the application). The checks cost more than the rest of the work of an echo.

    /// The send buffer limit for connections made from now on (Workerman's default: 1 MiB).
    nonisolated(unsafe) public static var defaultMaxSendBufferSize = 1024 * 1024  // one thread per process
    /// The largest packet a connection accepts by default (10 MiB); a larger one closes it.
    nonisolated(unsafe) public static var defaultMaxPackageSize = 10 * 1024 * 1024  // one thread per process

    // The fields are laid out for an idle connection's memory (10,000 idle connections are a
    // common load): flags in one word, the callbacks shared with the Worker's other connections
    // until one sets its own, and what few connections use (TLS, the local address) in an object
    // made on demand (`ConnectionExtras`).

    /// The socket; -1 when there is none.
    @exclusivity(unchecked) public final internal(set) var fd: Int32 = -1
    /// Where the connection is in its life.
    @exclusivity(unchecked) public final internal(set) var state: State = .initial
    /// How the bytes travel: tcp, unix or ssl (another name is kept in `extras`).
    @exclusivity(unchecked) final var transportKind = TransportKind.tcp
    /// The connection's yes/no states (`isCorked`, `isPaused` ...), one bit each.
    @usableFromInline @exclusivity(unchecked) final var flags: Flags = [.isAnnounced]
    /// The send buffer limit: a send when this much is queued is dropped, and reaching it calls
    /// `onBufferFull`. Changeable at any time.
    @exclusivity(unchecked) public final var maxSendBufferSize = TcpConnection.defaultMaxSendBufferSize
    /// Bytes received so far.
    @exclusivity(unchecked) public final internal(set) var bytesRead = 0
    /// Bytes handed to the kernel so far.
    @exclusivity(unchecked) public final internal(set) var bytesWritten = 0
    /// The callbacks, as the connection calls them (the public `onMessage`, `onClose` ... in
    /// `ConnectionCallbacks` hand each kind of connection as itself): the Worker's, shared, until
    /// the connection sets its own.
    @usableFromInline @exclusivity(unchecked) final var handlers: ConnectionHandlers?
    /// Runs the connection's protocol with its state; nil for raw bytes.
    @usableFromInline @exclusivity(unchecked) final var driver: ProtocolDriver?

    @exclusivity(unchecked) final var sendQueue = SendQueue()
    /// Received bytes no packet has consumed yet; nil when there are none.
    @exclusivity(unchecked) final var receiveBuffer: ByteBuffer?
    /// The part of the Worker's `bufferedBytes` that is this connection's receive buffer.
    @exclusivity(unchecked) final var accountedReceiveBytes = 0
    /// The length of the packet being received, once `input` has measured it; 0 before.
    @usableFromInline @exclusivity(unchecked) final var pendingPacketLength = 0
    @exclusivity(unchecked) final var remote: SocketAddress?
    /// What few connections have: TLS, a cached local address, an unusual transport name.
    @exclusivity(unchecked) final var extras: ConnectionExtras?
    /// When the connection last received something, as the deadline sweep saw it.
    @exclusivity(unchecked) final var quiet = QuietSince()

    let loop = EventLoop.current

    /// True while the connection is parsing a batch of packets and more follow the current one:
    /// replies are queued then and written together when the batch ends.
    @inlinable final var isCorked: Bool {
        get { flags.contains(.isCorked) }
        set { flags.set(.isCorked, newValue) }
    }
    /// True while `pauseRecv` is in force.
    public final internal(set) var isPaused: Bool {
        get { flags.contains(.isPaused) }
        set { flags.set(.isPaused, newValue) }
    }
    /// True while reading waits for a full send buffer to drain (a protocol that `appliesBackPressure`).
    final var isHeldBack: Bool {
        get { flags.contains(.isHeldBack) }
        set { flags.set(.isHeldBack, newValue) }
    }
    /// True unless reading is paused or held back.
    @inlinable final var isReading: Bool { flags.isDisjoint(with: [.isPaused, .isHeldBack]) }
    /// True while the connection counts in `ConnectionStatistics.connectionCount`.
    final var isCounted: Bool {
        get { flags.contains(.isCounted) }
        set { flags.set(.isCounted, newValue) }
    }
    /// True while `send` runs (a protocol's `encode` may ask to close meanwhile).
    final var isSending: Bool {
        get { flags.contains(.isSending) }
        set { flags.set(.isSending, newValue) }
    }
    /// True when an `encode` asked to close once its bytes are handed over.
    final var closeRequested: Bool {
        get { flags.contains(.closeRequested) }
        set { flags.set(.closeRequested, newValue) }
    }
    /// True until the TLS handshake completes; sends wait in the queue meanwhile.
    public final internal(set) var isHandshaking: Bool {
        get { flags.contains(.isHandshaking) }
        set { flags.set(.isHandshaking, newValue) }
    }
    /// True while the TLS layer waits for the socket to become writable.
    final var securityWantsWrite: Bool {
        get { flags.contains(.securityWantsWrite) }
        set { flags.set(.securityWantsWrite, newValue) }
    }
    /// False for an accepted `ssl` connection until its handshake completes: one that fails is
    /// closed without `onClose`, since `onConnect` never ran.
    final var isAnnounced: Bool {
        get { flags.contains(.isAnnounced) }
        set { flags.set(.isAnnounced, newValue) }
    }

    /// The TLS layer of an `ssl` connection; nil for plain ones.
    package final internal(set) var security: TransportSecuritySession? {
        get { extras?.security }
        set { if newValue != nil || extras != nil { madeExtras.security = newValue } }
    }
    /// Called when the connection is announced (after the TLS handshake for `ssl` connections).
    final var pendingOnConnect: ((TcpConnection) -> Void)? {
        get { extras?.pendingOnConnect }
        set { if newValue != nil || extras != nil { madeExtras.pendingOnConnect = newValue } }
    }
    /// The local address, once asked for.
    final var local: SocketAddress? {
        get { extras?.local }
        set { if newValue != nil || extras != nil { madeExtras.local = newValue } }
    }
    /// `extras`, made if there is none yet.
    final var madeExtras: ConnectionExtras {
        if let extras { return extras }
        let made = ConnectionExtras()
        extras = made
        return made
    }

    /// "tcp", "unix" or "ssl". Set it to "ssl" on an `AsyncTcpConnection` before `connect()` for TLS.
    public final var transport: String {
        get {
            switch transportKind {
            case .tcp: return "tcp"
            case .unix: return "unix"
            case .ssl: return "ssl"
            case .other: return extras?.transportName ?? "tcp"
            }
        }
        set {
            switch newValue {
            case "tcp": transportKind = .tcp
            case "unix": transportKind = .unix
            case "ssl": transportKind = .ssl
            default:
                transportKind = .other
                madeExtras.transportName = newValue
            }
        }
    }

    init(fd: Int32, remote: SocketAddress?, protocol: (any StatefulWireProtocol.Type)?, worker: Worker? = nil) {
        super.init()
        self.fd = fd
        self.remote = remote
        self.worker = worker
        if remote?.isUnix == true { transportKind = .unix }
        if let wire = `protocol`, let worker, let accepted = worker.protocol,
            ObjectIdentifier(wire) == ObjectIdentifier(accepted)
        {
            driver = worker.driver(for: self)  // shared by its connections when the protocol keeps no state
        } else {
            driver = `protocol`?.makeDriver(for: self)
        }
    }

    /// A connection with no socket, for driving a protocol's `input` / `decode` / `encode` in tests
    /// (see `WireProtocolVerifier`); with a `worker`, the protocol reads that Worker's settings.
    /// Sending to it fails; it never reads.
    public static func unconnected(protocol: (any StatefulWireProtocol.Type)?, worker: Worker? = nil) -> TcpConnection {
        TcpConnection(fd: -1, remote: nil, protocol: `protocol`, worker: worker)
    }

    /// The protocol; changing it gives the connection the new protocol's fresh state (the old
    /// protocol's `closed` and the new one's `opened` run when the connection is established).
    public override var `protocol`: (any StatefulWireProtocol.Type)? {
        get { driver?.wire }
        set {
            let old = driver
            let announced = isAnnounced && state == .established
            driver = newValue?.makeDriver(for: self)
            pendingPacketLength = 0
            guard announced else { return }
            old?.closed(self)
            driver?.opened(self)
        }
    }

    /// The state protocol `wire` keeps on this connection; nil when `wire` is not its protocol.
    public final func protocolState<P: StatefulWireProtocol>(of wire: P.Type) -> P.State? {
        (driver as? Driver<P>)?.state
    }

    /// The peer's address.
    public override var remoteAddress: SocketAddress? { remote }

    /// The local address.
    public override var localAddress: SocketAddress? {
        if local == nil, fd >= 0 { local = Sys.localAddress(fd) }
        return local
    }

    /// Encodes `message` with the connection's protocol (unless `raw`) and sends it.
    ///
    /// Workerman's rules, exactly:
    /// - closing or closed: `.failed`;
    /// - something is already queued and the queue has reached `maxSendBufferSize`: the data is
    ///   dropped, `onError(.sendFail, "send buffer full and drop package")` runs, the process's
    ///   `send_fail` grows, `.failed` (the connection stays open);
    /// - nothing queued: written at once, `.written`; what the kernel does not take is queued, `.queued`;
    /// - otherwise (or while connecting) the whole message is queued, `.queued`, even when that takes
    ///   the queue past the limit; `onBufferFull` runs whenever the queue ends up at or over it;
    /// - the peer is gone: `onError(.sendFail, "client closed")`, the connection is destroyed, `.failed`.
    ///
    /// Inside `onMessage`, while more packets of the same read wait to be delivered, replies are
    /// queued (`.queued`) and written together, with one system call, when the batch ends.
    @discardableResult
    public override func send(_ message: Message, raw: Bool = false) -> SendResult {
        sendEncoded { buffer in try self.encode(message, raw: raw, into: &buffer) }
    }

    /// Sends what `body` encodes with protocol `wire`'s state: the typed path of a protocol's own
    /// `send` overloads (HTTP's `send(_: Response)`), with no `Message` in between. nil when `wire`
    /// is not this connection's protocol. Inlinable, so that the caller's module compiles it for its
    /// protocol: the driver's type is then a constant, not generic metadata looked up per send.
    @inlinable
    package final func send<P: StatefulWireProtocol>(
        through wire: P.Type, _ body: (inout P.State, inout ByteBuffer) throws -> Void
    ) -> SendResult? {
        // `Driver` is final: comparing its exact type is the cast, without the runtime's cast call.
        guard let current = driver, type(of: current) == Driver<P>.self else { return nil }
        let driver = unsafeDowncast(current, to: Driver<P>.self)
        return sendEncoded { buffer in try body(&driver.state, &buffer) }
    }

    /// Sends what `encode` writes, by Workerman's rules (see `send(_:raw:)`); a close a protocol
    /// asked for meanwhile (`closeAfterWriting`) happens once the bytes are handed over.
    @usableFromInline @inline(__always)
    final func sendEncoded(_ encode: (inout ByteBuffer) throws -> Void) -> SendResult {
        isSending = true
        let result = sendMessage(encode)
        isSending = false
        if closeRequested {
            closeRequested = false
            close()
        }
        return result
    }

    /// The number of bytes waiting in the send buffer.
    public var sendBufferSize: Int { sendQueue.byteCount }

    /// The number of received bytes waiting for a complete packet.
    public var receiveBufferSize: Int { receiveBuffer?.readableBytes ?? 0 }

    /// Starts reading an established socket and announces it: protocol hook, then `onConnect`.
    func start(onConnect: ((TcpConnection) -> Void)?) {
        state = .established
        if !isCounted {
            isCounted = true
            ConnectionStatistics.connectionCount += 1
        }
        if security != nil {
            isHandshaking = true
            isAnnounced = false
            pendingOnConnect = onConnect
        }
        do {
            try loop.register(fd, self, interest: wantedInterest)
        } catch {
            Log.write("cannot watch connection \(id): \(error)")
            destroy()
            return
        }
        if !isHandshaking { announce(onConnect) }
    }

    /// Tells the protocol and the application that the connection is ready.
    func announce(_ onConnect: ((TcpConnection) -> Void)?) {
        isAnnounced = true
        driver?.opened(self)
        guard state == .established else { return }
        onConnect?(self)
    }

    /// The TLS handshake completed: announce the connection and send what waited for it.
    func handshakeCompleted(onConnect: ((TcpConnection) -> Void)? = nil) {
        let onConnect = onConnect ?? pendingOnConnect
        pendingOnConnect = nil
        announce(onConnect)
        if state == .established && !sendQueue.isEmpty { flushQueue(afterWritable: false) }
    }

    /// The TLS handshake failed: one line in the log, and the connection closed.
    func handshakeFailed(_ reason: String) {
        Log.writeLimited("TLS handshake", "TLS handshake with \(remote?.description ?? "?") failed: \(reason)")
        destroy()
    }

    /// What the loop should watch for now.
    var wantedInterest: Interest {
        var interest: Interest = []
        if state == .established && isReading { interest.insert(.read) }
        if !sendQueue.isEmpty && (state == .established || state == .closing) { interest.insert(.write) }
        if state == .connecting { interest = .write }
        if isHandshaking || securityWantsWrite {
            interest = securityWantsWrite ? .write : .read
        }
        return interest
    }

    /// Tells the loop what to watch for now. A change epoll refuses closes the connection with
    /// the reason logged: it could neither write what is queued nor read again.
    func updateInterest() {
        guard fd >= 0, state != .closed else { return }
        do {
            try loop.setInterest(fd, wantedInterest)
        } catch {
            fail("the event loop cannot watch it: \(error)")
        }
    }

    // MARK: closing

    /// Closes after `data` (encoded unless `raw`) and everything already queued has been written.
    /// Reading stops at once. A connection still connecting is destroyed.
    public override func close(_ data: Message? = nil, raw: Bool = false) {
        if state == .connecting || state == .initial {
            destroy()
            return
        }
        guard state == .established, !isHandshaking else {
            if state == .established { destroy() }
            return
        }
        if let data { send(data, raw: raw) }
        guard state == .established else { return }
        state = .closing
        if sendQueue.isEmpty {
            destroy()
        } else {
            updateInterest()
        }
    }

    /// Closes once everything queued, including a send in progress, has been written: for a
    /// protocol whose `encode` decides that the connection ends (HTTP's `Connection: close`).
    public func closeAfterWriting() {
        guard state == .established else { return }
        if isSending {
            closeRequested = true
        } else {
            close()
        }
    }

    /// Closes at once, dropping whatever is queued. `onClose` runs (once).
    public override func destroy() {
        guard state != .closed else { return }
        let wasOpen = fd >= 0
        if wasOpen {
            if let security, !isHandshaking { security.shutdown() }
            loop.deregister(fd)
            if state == .closing { Sys.shutdownWrite(fd) }
            Sys.close(fd)
            fd = -1
        }
        state = .closed
        sendQueue.removeAll()
        receiveBuffer = nil
        accountReceiveBuffer()
        pendingPacketLength = 0
        if isCounted {
            isCounted = false
            ConnectionStatistics.connectionCount -= 1
        }
        worker?.connections.removeValue(forKey: id)
        security = nil
        isHandshaking = false
        securityWantsWrite = false
        guard isAnnounced else {
            releaseCallbacks()
            return
        }
        handlers?.close?(self)
        driver?.closed(self)
        if state == .closed { releaseCallbacks() }
    }

    /// Drops the callbacks (and what they capture) once the connection is over for good.
    func releaseCallbacks() {
        handlers = nil
    }

    // MARK: flow control

    /// Stops reading: no `onMessage` until `resumeRecv()`; the kernel's buffer fills and the peer slows down.
    public override func pauseRecv() {
        guard !isPaused else { return }
        isPaused = true
        updateInterest()
    }

    /// Reads again; packets already received are delivered right after the current callback returns.
    public override func resumeRecv() {
        guard isPaused else { return }
        isPaused = false
        readAgain()
    }

    /// Watches for input again and delivers the packets already received, right after the current callback.
    final func readAgain() {
        guard isReading else { return }
        updateInterest()
        if receiveBuffer != nil {
            loop.execute { [weak self] in
                self?.parseReceiveBuffer()
                self?.accountReceiveBuffer()
            }
        }
    }

    // MARK: events

    func handleWritable() {
        if isHandshaking {
            continueHandshake()
        } else if securityWantsWrite {
            securityWantsWrite = false
            updateInterest()
            handleReadable()
        } else {
            flushQueue(afterWritable: true)
        }
    }

    func handleHangup() {
        destroy()
    }

    func reportError(_ code: ConnectionErrorCode, _ message: String) {
        handlers?.error?(self, code, message)
    }

    /// Logs why the connection is being closed, then destroys it.
    @usableFromInline final func fail(_ reason: String) {
        Log.writeLimited("closed connection", "connection \(id) from \(remote?.description ?? "?") closed: \(reason)")
        destroy()
    }

    /// Logs why the connection is being closed, then closes it after writing `reply` (its protocol's
    /// error answer).
    @usableFromInline final func refuse(reply: [UInt8], reason: String) {
        Log.writeLimited("closed connection", "connection \(id) from \(remote?.description ?? "?") closed: \(reason)")
        close(reply.isEmpty ? nil : .binary(reply), raw: true)
    }

    /// Hands `message` to `onMessage`: what a protocol's `deliver` does by default.
    @inlinable package final func deliverMessage(_ message: Message) {
        handlers?.message?(self, message)
    }
}
