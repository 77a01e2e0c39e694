// counter: GlobalData in action. An HTTP Worker with 4 processes counts every request in one shared
// counter; each answer says which process served it and the count so far. The counter lives in a
// GlobalData server of the same program, or in Redis when GLOBALDATA_URL says so. Either store may
// restart: `increment` on a missing key starts from 0, so counting goes on.
//
//   HTTP_PORT=8080 GLOBALDATA_PORT=2207 counter start
//   HTTP_PORT=8080 GLOBALDATA_URL=redis://127.0.0.1:6379/0 counter start
//   curl http://127.0.0.1:8080/
import Foundation
import Workerman

let environment = ProcessInfo.processInfo.environment
let redisURL = environment["GLOBALDATA_URL"]
let globalData =
    redisURL == nil ? GlobalDataServer("127.0.0.1", Int(environment["GLOBALDATA_PORT"] ?? "2207") ?? 2207) : nil

let web = Worker("http://0.0.0.0:\(environment["HTTP_PORT"] ?? "8080")")
web.name = "Counter"
web.count = 4

nonisolated(unsafe) var counter: AsyncGlobalDataClient?  // this process's client, made in onWorkerStart

web.onWorkerStart = { worker in
    let address = redisURL ?? "127.0.0.1:\(globalData?.worker.listeningPort ?? 2207)"
    counter = try AsyncGlobalDataClient(address, timeout: 2)
}

web.onRequest = { connection, _ in
    counter?.increment("hits") { result in
        switch result {
        case .success(let hits): connection.send("process \(web.id) counted request \(hits)\n")
        case .failure(let error): connection.send(Response(503, body: "GlobalData: \(error)\n"))
        }
    }
}

Worker.runAll()
