// text-echo: a telnet-friendly echo server over the text protocol (one line in, the same line out),
// and the manual's JsonNL custom protocol on a second port.
//
//   PORT=5678 JSONNL_PORT=5680 text-echo start
//   telnet 127.0.0.1 5678
import Foundation
import Workerman

let environment = ProcessInfo.processInfo.environment

let echo = Worker("text://0.0.0.0:\(environment["PORT"] ?? "5678")")
echo.name = "TextEcho"
echo.onMessage = { connection, data in
    connection.send(data)
}

// A custom protocol: register it under a scheme name, then listen with that scheme.
Worker.register(JsonNL.self, as: "JsonNL")
let json = Worker("JsonNL://0.0.0.0:\(environment["JSONNL_PORT"] ?? "5680")")
json.name = "JsonNL"
json.onMessage = { connection, data in
    connection.send(.object(["type": "echo", "data": data.value(as: Any.self) ?? NSNull()]))
}

Worker.runAll()
