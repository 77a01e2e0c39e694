import Workerman
import WorkermanTestSupport
import XCTest

/// The manual's small programs that show a feature no example shows, ported line by line.
final class ManualProgramsTests: ServerTestCase {
    func testConnectionsThatDoNotAuthenticateInTimeAreClosed() throws {
        // The manual: onConnect starts a one-shot timer that closes the connection unless onMessage
        // authenticates it first and deletes the timer.
        let worker = try startWorker("text://127.0.0.1:0") { worker in
            worker.onConnect = { connection in
                connection.context[.authTimer] = Timer.add(0.3, persistent: false) {
                    connection.close("auth timeout")
                }
            }
            worker.onMessage = { connection, data in
                if let timer = connection.context[.authTimer], data == "token" {
                    Timer.del(timer)
                    connection.context[.authTimer] = nil
                    connection.send("welcome")
                } else {
                    connection.send("echo \(data)")
                }
            }
        }
        let port = worker.port
        XCTAssertTrue(
            try runWithClient {
                let honest = try BlockingClient(port: port)
                let silent = try BlockingClient(port: port)
                try honest.send("token\n")
                try checkEqual(try honest.receive(untilSuffix: "\n"), "welcome\n", "authenticated")
                try checkEqual(try silent.receive(untilSuffix: "\n"), "auth timeout\n", "timed out")
                try checkEqual(try silent.receiveUntilClosed().bytes, 0, "then closed")
                try honest.send("still here\n")
                try checkEqual(try honest.receive(untilSuffix: "\n"), "echo still here\n", "kept open")
            })
    }

    func testAsyncTasksRunInATaskWorker() throws {
        // The manual: a slow job goes to a separate task Worker over AsyncTcpConnection; the reply is
        // forwarded to the client, and the business worker never blocks.
        let taskWorker = try startWorker("text://127.0.0.1:0") { worker in
            worker.onMessage = { connection, data in connection.send("result of \(data)") }
        }
        let taskPort = taskWorker.port
        let business = try startWorker("text://127.0.0.1:0") { worker in
            worker.onMessage = { connection, data in
                let task = try! AsyncTcpConnection("text://127.0.0.1:\(taskPort)")
                task.send(data)
                task.onMessage = { taskConnection, result in
                    connection.send(result)
                    taskConnection.close()
                }
                task.connect()
            }
        }
        let port = business.port
        XCTAssertTrue(
            try runWithClient {
                let client = try BlockingClient(port: port)
                try client.send("job 1\njob 2\n")
                var replies = try client.receive(untilSuffix: "\n")
                if replies.split(separator: "\n").count < 2 { replies += try client.receive(untilSuffix: "\n") }
                try check(replies.contains("result of job 1\n") && replies.contains("result of job 2\n"), replies)
            })
    }

    func testATimerBroadcastsToEveryConnectionOfTheProcess() throws {
        // The manual: a timer in onWorkerStart sends to every connection in worker.connections.
        let worker = try startWorker("text://127.0.0.1:0") { worker in
            worker.onMessage = { _, _ in }
        }
        Timer.add(0.05) {
            for connection in worker.connections.values { connection.send("tick for \(connection.id)") }
        }
        let port = worker.port
        XCTAssertTrue(
            try runWithClient {
                let clients = try (0..<5).map { _ in try BlockingClient(port: port) }
                for client in clients {
                    let line = try client.receive(untilSuffix: "\n")
                    try check(line.hasPrefix("tick for "), line)
                }
            })
    }
}

extension ContextKey where Value == TimerID {
    static var authTimer: Self { .init("authTimer") }
}
