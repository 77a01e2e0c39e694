import Workerman
import WorkermanTestSupport
import XCTest

/// A test case whose `websocket://` servers (and `ws://` clients) run on this process's event
/// loop, while blocking clients run on threads.
class WebSocketServerTestCase: XCTestCase {
    private var workers: [Worker] = []
    private var clients: [AsyncTcpConnection] = []

    /// A `websocket://127.0.0.1:0` Worker, configured and listening; returns it and its port.
    func startServer(_ configure: (Worker) -> Void = { _ in }) throws -> (worker: Worker, port: Int) {
        let worker = Worker("websocket://127.0.0.1:0")
        worker.onMessage = { connection, data in connection.send(data) }
        configure(worker)
        try worker.listen()
        workers.append(worker)
        return (worker, Int(worker.localAddress?.port ?? 0))
    }

    /// A `ws://` client to `url`, remembered so teardown closes it.
    func client(_ url: String) throws -> AsyncTcpConnection {
        let connection = try AsyncTcpConnection(url)
        clients.append(connection)
        return connection
    }

    override func tearDown() {
        for client in clients {
            client.onClose = nil
            client.destroy()
        }
        clients.removeAll()
        for worker in workers {
            for connection in worker.connections.values { connection.destroy() }
            worker.unlisten()
        }
        workers.removeAll()
        Timer.delAll()
        for _ in 0..<3 { EventLoop.current.runOnce(maxWait: 0) }
        super.tearDown()
    }
}
