import Glibc
import Timer

/// What runs inside one process: its Workers' listeners and callbacks on the process's event loop,
/// and the way it stops (fast: close every connection; graceful: stop accepting, wait for the last
/// connection to close).
///
/// The master starts each worker process with the Workers that process serves; without a master
/// (`Worker.runAll()` in this build) the current process serves them all.
enum WorkerProcess {
    /// The Workers this process runs.
    nonisolated(unsafe) static var workers: [Worker] = []  // one thread per process
    nonisolated(unsafe) private static var isStopping = false

    /// Starts `workers` in this process (their listeners must be open) and runs the loop until a
    /// stop; then exits with `exitCode`.
    static func run(_ workers: [Worker]) -> Never {
        self.workers = workers
        let loop = EventLoop.current
        loop.onSignal(SIGINT) { _ in stop(graceful: false) }
        loop.onSignal(SIGTERM) { _ in stop(graceful: false) }
        loop.onSignal(SIGHUP) { _ in stop(graceful: false) }
        loop.onSignal(SIGQUIT) { _ in stop(graceful: true) }
        for worker in workers {
            worker.listener?.resumeAccept()
            worker.onWorkerStart?(worker)
        }
        loop.run()
        exit(0)
    }

    /// Stops this process: `onWorkerStop` for each Worker, then either every connection closed
    /// (fast) or the listeners closed and the process kept until its connections end (graceful).
    static func stop(graceful: Bool) {
        guard !isStopping else { return }
        isStopping = true
        for worker in workers {
            worker.onWorkerStop?(worker)
            worker.unlisten()
        }
        if graceful {
            exitWhenIdle()
        } else {
            for worker in workers {
                for connection in worker.connections.values { connection.close() }
            }
            exitWhenIdle(deadline: MonotonicClock.now() + 2_000_000_000)
        }
    }

    /// Ends the loop once no connection is left (and at `deadline` at the latest).
    private static func exitWhenIdle(deadline: UInt64? = nil) {
        let idle = { workers.allSatisfy { $0.connections.isEmpty } }
        if idle() {
            EventLoop.current.stop()
            return
        }
        if graceful(deadline) {
            let count = workers.reduce(0) { $0 + $1.connections.count }
            Log.write("worker process remains \(count) connection(s)")
        }
        Timer.add(0.01) {
            if idle() || deadline.map({ MonotonicClock.now() >= $0 }) == true { EventLoop.current.stop() }
        }
    }

    private static func graceful(_ deadline: UInt64?) -> Bool { deadline == nil }
}
