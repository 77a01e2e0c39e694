// The Gateway tests' process: one program, the roles chosen by ROLE (each a separate process tree
// when started separately; all three together by default).
//
//   ROLE=all        a Register, a text:// Gateway and the business workers
//   ROLE=register   a Register on 0.0.0.0:$REGISTER_PORT
//   ROLE=gateway    a text:// Gateway on $TEXT_HOST:$TEXT_PORT (0: any), $GATEWAY_COUNT processes,
//                   internal ports from $START_PORT on $LAN_IP
//   ROLE=business   $BUSINESS_COUNT business workers
// The register is $REGISTER_ADDRESS (default 127.0.0.1:$REGISTER_PORT).
//
// A client line "bind:<uid>" binds it, "join:<group>" joins a group (both answered "ok:<line>");
// any other line is answered "<version>:<line>" to that client, where <version> is the content of
// $VERSION_FILE when the business worker process started (a reload picks up a new one).
import Glibc
import Workerman
import WorkermanGateway

func environment(_ name: String) -> String? { getenv(name).map { String(cString: $0) } }
func number(_ name: String, _ fallback: Int) -> Int { environment(name).flatMap { Int($0) } ?? fallback }

Worker.stopTimeout = 3
let role = environment("ROLE") ?? "all"
let registerAddress = environment("REGISTER_ADDRESS") ?? "127.0.0.1:\(number("REGISTER_PORT", 1236))"

if role == "all" || role == "register" {
    _ = Register("text://0.0.0.0:\(number("REGISTER_PORT", 1236))")
}

if role == "all" || role == "gateway" {
    let gateway = Gateway("text://\(environment("TEXT_HOST") ?? "0.0.0.0"):\(number("TEXT_PORT", 0))")
    gateway.worker.name = "ProbeGateway"
    gateway.worker.count = number("GATEWAY_COUNT", 2)
    gateway.lanIp = environment("LAN_IP") ?? "127.0.0.1"
    gateway.startPort = number("START_PORT", 2900)
    gateway.registerAddress = [registerAddress]
}

/// The version this process answers with.
nonisolated(unsafe) var version = "v0"

if role == "all" || role == "business" {
    let business = BusinessWorker()
    business.worker.name = "ProbeBusiness"
    business.worker.count = number("BUSINESS_COUNT", 4)
    business.registerAddress = [registerAddress]
    business.onWorkerStart = { _ in
        guard let path = environment("VERSION_FILE"), let file = fopen(path, "r") else { return }
        defer { fclose(file) }
        var line = [CChar](repeating: 0, count: 64)
        if fgets(&line, 64, file) != nil {
            version = String(decoding: line.prefix { $0 != 0 && $0 != 10 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
    }
    business.onMessage = { clientID, message in
        let line = message.string
        if line.hasPrefix("bind:") {
            business.api.bindUid(clientID, String(line.dropFirst(5)))
        } else if line.hasPrefix("join:") {
            business.api.joinGroup(clientID, String(line.dropFirst(5)))
        } else {
            business.api.sendToCurrentClient("\(version):\(line)")
            return
        }
        business.api.sendToCurrentClient("ok:\(line)")
    }
}

Worker.runAll()
