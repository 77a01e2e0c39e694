import Workerman

let worker = Worker("text://0.0.0.0:5678")
worker.count = 4
worker.onMessage = { connection, data in
    connection.send("hello \(data)")
}
worker.onWorkerStart = { _ in Timer.add(10) { print("still serving") } }

Worker.runAll()
