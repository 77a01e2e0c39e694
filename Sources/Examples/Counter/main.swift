// counter: GlobalData in action. An HTTP Worker with 4 processes counts every request in one shared
// counter kept by a GlobalData server of the same program; each answer says which process served it
// and the count so far.
//
//   HTTP_PORT=8080 GLOBALDATA_PORT=2207 counter start
//   curl http://127.0.0.1:8080/
import Foundation
import Workerman

let environment = ProcessInfo.processInfo.environment
let globalData = GlobalDataServer("127.0.0.1", Int(environment["GLOBALDATA_PORT"] ?? "2207") ?? 2207)

let web = Worker("http://0.0.0.0:\(environment["HTTP_PORT"] ?? "8080")")
web.name = "Counter"
web.count = 4

nonisolated(unsafe) var counter: AsyncGlobalDataClient?  // this process's client, made in onWorkerStart

web.onWorkerStart = { worker in
    let port = globalData.worker.listeningPort ?? 2207
    let client = try AsyncGlobalDataClient("127.0.0.1:\(port)")
    client.add("hits", 0) { _ in }  // the first process to start creates the counter; the others find it
    counter = client
}

web.onRequest = { connection, _ in
    counter?.increment("hits") { result in
        switch result {
        case .success(let hits): connection.send("process \(web.id) counted request \(hits ?? .null)\n")
        case .failure(let error): connection.send(Response(503, body: "GlobalData: \(error)\n"))
        }
    }
}

Worker.runAll()
