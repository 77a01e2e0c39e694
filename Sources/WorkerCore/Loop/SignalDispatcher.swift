import CWorkermanEpoll
import Glibc

/// Signals delivered through a signalfd, so that their handlers run on the loop like any other event
/// (never inside an asynchronous signal handler).
final class SignalDispatcher: EventHandler {
    private unowned let loop: EventLoop
    private var fd: Int32 = -1
    private var mask = sigset_t()
    private var handlers: [Int32: (Int32) -> Void] = [:]

    init(loop: EventLoop) {
        self.loop = loop
        sigemptyset(&mask)
    }

    /// Routes `signal` to `handler` (replacing an earlier handler for it).
    func on(_ signal: Int32, _ handler: @escaping (Int32) -> Void) {
        handlers[signal] = handler
        sigaddset(&mask, signal)
        Sys.setSignalsBlocked([signal], true)
        update()
    }

    /// Stops routing `signal`; its default disposition applies again.
    func off(_ signal: Int32) {
        guard handlers.removeValue(forKey: signal) != nil else { return }
        sigdelset(&mask, signal)
        update()
        Sys.setSignalsBlocked([signal], false)
    }

    private func update() {
        do {
            let isNew = fd < 0
            fd = try Sys.signalDescriptor(fd, mask: &mask)
            if isNew { try loop.register(fd, self, interest: .read) }
        } catch {
            fatalError("cannot route signals through signalfd: \(error)")
        }
    }

    func handleReadable() {
        var info = signalfd_siginfo()
        let size = MemoryLayout<signalfd_siginfo>.size
        while true {
            let result = withUnsafeMutableBytes(of: &info) { try? Sys.read(fd, $0) }
            guard case .processed(let count) = result, count == size else { return }
            let signal = Int32(info.ssi_signo)
            handlers[signal]?(signal)
        }
    }
}

extension EventLoop {
    /// Runs `handler` on this loop whenever the process receives `signal` (the signal is blocked and
    /// read from a signalfd). A second call for the same signal replaces the handler.
    public func onSignal(_ signal: Int32, _ handler: @escaping (Int32) -> Void) {
        signals.on(signal, handler)
    }

    /// Stops handling `signal` on the loop.
    public func offSignal(_ signal: Int32) {
        signals.off(signal)
    }
}
