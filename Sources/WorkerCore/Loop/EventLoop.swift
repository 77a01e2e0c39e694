import CWorkermanEpoll
import Glibc
import WorkermanTimer

/// The event loop of a process: epoll (level-triggered) over nonblocking descriptors, the process's
/// timers, signals through a signalfd, and an eventfd to wake it.
///
/// One loop runs per process, on its one thread (`EventLoop.current`). Handlers are kept in an array
/// indexed by descriptor; each registration gets a generation number, carried in the epoll event
/// next to the descriptor, so that an event queued for a descriptor that was closed and reused in
/// the same round is recognised as stale and dropped.
public final class EventLoop {
    private struct Registration {
        var handler: EventHandler?
        var interest: Interest = []
        var generation: UInt32 = 0
        var exclusive = false
        var edgeTriggered = false
    }

    /// The loop of this process, made on first use.
    nonisolated(unsafe) public static let current = EventLoop()  // owned by the process's one thread

    // The stored properties below skip run-time exclusivity checks (`@exclusivity(unchecked)`): they
    // are read or written for every event, on the loop's one thread, and no access to one of them is
    // held across a call that could reach it again (`dispatch` copies what it reads of a
    // registration before calling its handler; `runDeferred` swaps the lists before running one).
    private let epollFD: Int32
    private let wakeFD: Int32
    @exclusivity(unchecked) private var registrations: [Registration] = []
    @exclusivity(unchecked) private var nextGeneration: UInt32 = 0
    @exclusivity(unchecked) private var events: UnsafeMutablePointer<epoll_event>
    @exclusivity(unchecked) private var eventCapacity: Int32 = 256
    @exclusivity(unchecked) private var deferred: [() -> Void] = []
    @exclusivity(unchecked) private var running: [() -> Void] = []
    @exclusivity(unchecked) private var stopRequested = false
    private lazy var wakeHandler = WakeHandler(loop: self)
    lazy var signals = SignalDispatcher(loop: self)

    /// True while `run()` is running.
    public private(set) var isRunning = false

    /// Shared by every connection of this loop: bytes are read here first, and only what a protocol
    /// cannot consume yet is copied into the connection's own buffer.
    let readBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)
    /// Reusable buffers: replies are encoded into the first before they are written (taken and
    /// given back around each send), and a send queue that starts takes the second for its first
    /// bytes (given back when it drains, see `SendQueue`). Taken and given back in single
    /// statements, never held across other code: their exclusivity checks are skipped.
    @exclusivity(unchecked) private var encodeScratch: ByteBuffer? = ByteBuffer(capacity: scratchCapacity)
    @exclusivity(unchecked) private var spareBuffer: ByteBuffer? = ByteBuffer(capacity: scratchCapacity)
    /// The size of the reusable buffers.
    static let scratchCapacity = 16 * 1024

    /// The reusable encode buffer, or a new one while it is out.
    @inline(__always)
    func takeScratch() -> ByteBuffer {
        encodeScratch.take() ?? ByteBuffer(capacity: Self.scratchCapacity)
    }

    /// The spare buffer for a send queue, or a new one while it is out.
    @inline(__always)
    func takeSpare() -> ByteBuffer {
        spareBuffer.take() ?? ByteBuffer(capacity: Self.scratchCapacity)
    }

    /// Keeps `buffer`, emptied, as a reusable buffer where one is missing (unless it is smaller than
    /// they are or grew too large to keep); otherwise lets it go.
    @inline(__always)
    func recycle(_ buffer: consuming ByteBuffer) {
        guard buffer.capacity >= Self.scratchCapacity, buffer.capacity <= 1024 * 1024 else { return }
        buffer.clear()
        if encodeScratch == nil {
            encodeScratch = buffer
        } else if spareBuffer == nil {
            spareBuffer = buffer
        }
    }

    private init() {
        do {
            epollFD = try Sys.epollCreate()
            wakeFD = try Sys.eventCounter()
        } catch {
            fatalError("cannot create the event loop: \(error)")
        }
        events = .allocate(capacity: Int(eventCapacity))
        try! register(wakeFD, wakeHandler, interest: .read)
    }

    // MARK: registration

    /// Starts watching `fd` for `interest` on behalf of `handler`. An `exclusive` registration
    /// (EPOLLEXCLUSIVE: a listening socket shared by several processes) wakes only one of the
    /// processes waiting on it; its interest cannot be changed, only removed and added again. An
    /// `edgeTriggered` registration (EPOLLET) reports each change once, not the state.
    func register(
        _ fd: Int32, _ handler: EventHandler, interest: Interest, exclusive: Bool = false, edgeTriggered: Bool = false
    ) throws(SyscallError) {
        let index = Int(fd)
        precondition(index >= 0, "cannot watch descriptor \(fd)")
        if index >= registrations.count {
            registrations.append(contentsOf: repeatElement(Registration(), count: index - registrations.count + 1))
        }
        nextGeneration &+= 1
        registrations[index] = Registration(
            handler: handler, interest: interest, generation: nextGeneration, exclusive: exclusive,
            edgeTriggered: edgeTriggered)
        try Sys.epollControl(epollFD, EPOLL_CTL_ADD, fd, events: epollEvents(registrations[index]), data: eventData(fd))
    }

    /// Changes what `fd` is watched for. Throws when epoll refuses (the descriptor was closed or
    /// replaced behind the loop's back, the kernel is out of memory): the caller must not go on as
    /// if the change had been made, or writes would wait for a wake-up that never comes.
    func setInterest(_ fd: Int32, _ interest: Interest) throws(SyscallError) {
        let index = Int(fd)
        guard index >= 0, index < registrations.count, registrations[index].handler != nil,
            registrations[index].interest != interest, !registrations[index].exclusive
        else { return }
        registrations[index].interest = interest
        try Sys.epollControl(epollFD, EPOLL_CTL_MOD, fd, events: epollEvents(registrations[index]), data: eventData(fd))
    }

    /// What `fd` is watched for now.
    func interest(_ fd: Int32) -> Interest {
        fd >= 0 && Int(fd) < registrations.count ? registrations[Int(fd)].interest : []
    }

    /// Stops watching `fd`. Call it before closing the descriptor.
    func deregister(_ fd: Int32) {
        let index = Int(fd)
        guard index >= 0, index < registrations.count, registrations[index].handler != nil else { return }
        registrations[index] = Registration()
        _ = try? Sys.epollControl(epollFD, EPOLL_CTL_DEL, fd, events: 0, data: 0)
    }

    /// The number of descriptors watched, the loop's own wake-up descriptors included.
    public var registeredCount: Int { registrations.reduce(0) { $0 + ($1.handler == nil ? 0 : 1) } }

    /// The epoll flags for a registration. The peer's half-close (EPOLLRDHUP) is asked for only
    /// while reading, so a connection that does not read is not woken by it over and over; errors
    /// and full hang-ups are always reported.
    private func epollEvents(_ registration: Registration) -> UInt32 {
        var events: UInt32 = 0
        if registration.interest.contains(.read) {
            events |= UInt32(EPOLLIN.rawValue)
            if !registration.exclusive { events |= UInt32(EPOLLRDHUP.rawValue) }
        }
        if registration.interest.contains(.write) { events |= UInt32(EPOLLOUT.rawValue) }
        if registration.exclusive { events |= UInt32(EPOLLEXCLUSIVE.rawValue) }
        if registration.edgeTriggered { events |= UInt32(EPOLLET.rawValue) }
        return events
    }

    private func eventData(_ fd: Int32) -> UInt64 {
        UInt64(registrations[Int(fd)].generation) << 32 | UInt64(UInt32(bitPattern: fd))
    }

    // MARK: running

    /// Runs until `stop()`: waits for events, dispatches them, runs due timers and deferred work.
    public func run() {
        isRunning = true
        stopRequested = false
        defer {
            isRunning = false
            stopRequested = false
        }
        while !stopRequested { runOnce() }
    }

    /// Makes `run()` return after the current round. From another thread use `stopFromAnyThread()`.
    public func stop() {
        stopRequested = true
    }

    /// Wakes the loop if it is waiting. Safe from any thread.
    public func wakeUp() {
        var one: UInt64 = 1
        _ = Glibc.write(wakeFD, &one, 8)
    }

    /// Makes `run()` return soon. Safe from any thread (tests use it).
    public func stopFromAnyThread() {
        var stop = WakeHandler.stopValue
        _ = Glibc.write(wakeFD, &stop, 8)
    }

    /// Runs `body` on the loop after the current event has been handled (Workerman code calls this
    /// "next tick"). Deferred work runs before the loop waits again.
    public func execute(_ body: @escaping () -> Void) {
        deferred.append(body)
    }

    /// One round: deferred work, a wait no longer than the next timer, the events, the due timers.
    /// `maxWait` (seconds) bounds the wait.
    public func runOnce(maxWait: Double? = nil) {
        runDeferred()
        let count: Int
        do {
            count = try Sys.epollWait(
                epollFD, events, capacity: eventCapacity, timeoutMilliseconds: waitTimeout(maxWait))
        } catch {
            fatalError("event loop: \(error)")
        }
        for index in 0..<count { dispatch(events[index]) }
        if count == Int(eventCapacity) { growEventCapacity() }
        Timer.queue.runExpired()
        runDeferred()
    }

    private func waitTimeout(_ maxWait: Double?) -> Int32 {
        if !deferred.isEmpty || stopRequested { return 0 }
        var timeout: Int64 = -1
        if let deadline = Timer.queue.nextDeadline {
            let now = MonotonicClock.now()
            timeout = deadline <= now ? 0 : Int64((deadline - now + 999_999) / 1_000_000)
        }
        if let maxWait {
            let limit = Int64(max(0, maxWait) * 1000)
            timeout = timeout < 0 ? limit : min(timeout, limit)
        }
        return Int32(clamping: timeout)
    }

    @inline(__always)
    private func dispatch(_ event: epoll_event) {
        var event = event
        let data = cepoll_event_data(&event)
        let fd = Int(UInt32(truncatingIfNeeded: data))
        let generation = UInt32(truncatingIfNeeded: data >> 32)
        guard fd < registrations.count, registrations[fd].generation == generation,
            let handler = registrations[fd].handler
        else { return }  // stale: the descriptor was closed (and maybe reused) earlier in this round
        let flags = event.events
        let failed = flags & UInt32(EPOLLERR.rawValue | EPOLLHUP.rawValue) != 0
        var handled = false
        if registrations[fd].interest.contains(.read),
            flags & UInt32(EPOLLIN.rawValue | EPOLLRDHUP.rawValue) != 0 || failed
        {
            handler.handleReadable()
            handled = true
        }
        if flags & UInt32(EPOLLOUT.rawValue) != 0 || failed, registrations[fd].generation == generation,
            registrations[fd].interest.contains(.write)
        {
            handler.handleWritable()
            handled = true
        }
        // A hang-up on a descriptor that wants neither reading nor writing (a paused connection):
        // tell the handler once, instead of being woken by it again and again.
        if failed && !handled && registrations[fd].generation == generation {
            handler.handleHangup()
        }
    }

    private func runDeferred() {
        while !deferred.isEmpty {
            swap(&deferred, &running)  // work deferred by these bodies waits in `deferred` meanwhile
            for body in running { body() }
            running.removeAll(keepingCapacity: true)
        }
    }

    private func growEventCapacity() {
        guard eventCapacity < 8192 else { return }
        events.deallocate()
        eventCapacity *= 2
        events = .allocate(capacity: Int(eventCapacity))
    }

    /// Reads the wake-up counter; a count at or above `stopValue` is a cross-thread stop request.
    private final class WakeHandler: EventHandler {
        static let stopValue: UInt64 = 1 << 32
        unowned let loop: EventLoop

        init(loop: EventLoop) { self.loop = loop }

        func handleReadable() {
            var value: UInt64 = 0
            if Glibc.read(loop.wakeFD, &value, 8) == 8, value >= Self.stopValue { loop.stop() }
        }
    }
}
