import WorkermanTimer

/// How a worker process leaves without cutting requests (reload, reload -g, stop -g, SIGTERM): its
/// Workers stop accepting at once (the master's socket, and the replacement process, take the new
/// connections), each open connection is told the worker is leaving so that its protocol can end it
/// at a clean point (HTTP answers the next request with `Connection: close`, WebSocket sends a 1001
/// close frame), and the process exits when the last connection has closed or `deadline` seconds
/// have passed, whichever comes first: then whatever is left is closed after its queue is written,
/// and the loop ends at most `flushSeconds` later.
final class WorkerDrain {
    /// The drain in progress in this process, if any.
    nonisolated(unsafe) private(set) static var current: WorkerDrain?  // one thread per process

    private let workers: [Worker]
    private let deadline: Double
    private let flushSeconds: Double
    private let startedAt = MonotonicClock.now()
    private var closedRest = false
    private var ticker: TimerID?

    private init(workers: [Worker], deadline: Double, flushSeconds: Double) {
        self.workers = workers
        self.deadline = deadline
        self.flushSeconds = flushSeconds
    }

    /// Starts draining `workers`; ends the loop when done. A drain already running is kept.
    static func start(_ workers: [Worker], deadline: Double, flushSeconds: Double = 0.5) {
        guard current == nil else { return }
        let drain = WorkerDrain(workers: workers, deadline: deadline, flushSeconds: flushSeconds)
        current = drain
        for worker in workers { worker.beginLeaving() }
        guard !drain.isIdle else {
            drain.finish()
            return
        }
        Log.write("worker[\(drain.names)] leaving: draining \(drain.openCount) connection(s), at most \(deadline) s")
        drain.ticker = Timer.add(0.02) { drain.check() }
    }

    private var names: String { workers.map(\.name).joined(separator: ",") }
    private var openCount: Int { workers.reduce(0) { $0 + $1.connections.count } }
    private var isIdle: Bool { workers.allSatisfy { $0.connections.isEmpty } }

    private func check() {
        let elapsed = Double(MonotonicClock.now() - startedAt) / 1e9
        if isIdle || elapsed >= deadline + flushSeconds {
            finish()
            return
        }
        if elapsed >= deadline && !closedRest {
            closedRest = true
            Log.write("worker[\(names)] \(openCount) connection(s) still open after \(deadline) s: closing them")
            for worker in workers {
                for connection in Array(worker.connections.values) { connection.close() }
            }
            if isIdle { finish() }
        }
    }

    private func finish() {
        if let ticker { Timer.del(ticker) }
        ticker = nil
        EventLoop.current.stop()
    }
}

extension Worker {
    /// Stops accepting and tells every open connection's protocol that this process is leaving.
    func beginLeaving() {
        unlisten()
        announceLeaving()
    }
}
