// The Gateway tests' process: one program, the roles chosen by ROLE (each a separate process tree
// when started separately; all three together by default).
//
//   ROLE=all        a Register, a text:// Gateway and the business workers (or a list: register,gateway)
//   ROLE=register   a Register on 0.0.0.0:$REGISTER_PORT
//   ROLE=gateway    a text:// Gateway on $TEXT_HOST:$TEXT_PORT (0: any), $GATEWAY_COUNT processes,
//                   internal ports from $START_PORT on $LAN_IP
//   ROLE=business   $BUSINESS_COUNT business workers
//   ROLE=bench-clients  see BenchClients.swift ($GATEWAY_SCHEME=websocket for the gateway it loads)
// The register is $REGISTER_ADDRESS (default 127.0.0.1:$REGISTER_PORT). $SECRET_KEY sets every
// role's secret key; $AUTH_TIMEOUT the register's seconds to authenticate.
//
// A client line "bind:<uid>" binds it, "join:<group>" joins a group (both answered "ok:<line>"),
// "all:<n>" sends "all<k>" to everyone n times, "groups:<n>" sends "grp<k>" to each of the groups
// g0...g99 n times (for the benchmark);
// any other line is answered "<version>:<line>" to that client, where <version> is the content of
// $VERSION_FILE when the business worker process started (a reload picks up a new one), after
// $WORK_US microseconds of "work" (so that events queue up in the business workers).
import Glibc
import Workerman
import WorkermanGateway

func environment(_ name: String) -> String? { getenv(name).map { String(cString: $0) } }
func number(_ name: String, _ fallback: Int) -> Int { environment(name).flatMap { Int($0) } ?? fallback }

Worker.stopTimeout = 3
let roles = Set((environment("ROLE") ?? "all").split(separator: ",").map(String.init))
func runs(_ role: String) -> Bool { roles.contains("all") || roles.contains(role) }
let registerAddress = environment("REGISTER_ADDRESS") ?? "127.0.0.1:\(number("REGISTER_PORT", 1236))"
let secretKey = environment("SECRET_KEY") ?? ""

if runs("register") {
    let register = Register("text://0.0.0.0:\(number("REGISTER_PORT", 1236))")
    register.secretKey = secretKey
    register.authTimeout = Double(environment("AUTH_TIMEOUT") ?? "") ?? 10
}

if runs("gateway") {
    let gateway = Gateway(
        "\(environment("GATEWAY_SCHEME") ?? "text")://\(environment("TEXT_HOST") ?? "0.0.0.0"):\(number("TEXT_PORT", 0))"
    )
    gateway.worker.name = "ProbeGateway"
    gateway.worker.count = number("GATEWAY_COUNT", 2)
    gateway.lanIp = environment("LAN_IP") ?? "127.0.0.1"
    gateway.startPort = number("START_PORT", 2900)
    gateway.registerAddress = [registerAddress]
    gateway.secretKey = secretKey
    gateway.pingInterval = Double(environment("PING_INTERVAL") ?? "") ?? 0
    gateway.pingNotResponseLimit = number("PING_LIMIT", 0)
    gateway.pingData = environment("PING_DATA") ?? ""
}

/// The version this process answers with.
nonisolated(unsafe) var version = "v0"

if runs("business") {
    let business = BusinessWorker()
    business.worker.name = "ProbeBusiness"
    business.worker.count = number("BUSINESS_COUNT", 4)
    business.registerAddress = [registerAddress]
    business.secretKey = secretKey
    business.onWorkerStart = { _ in
        guard let path = environment("VERSION_FILE"), let file = fopen(path, "r") else { return }
        defer { fclose(file) }
        var line = [CChar](repeating: 0, count: 64)
        if fgets(&line, 64, file) != nil {
            version = String(decoding: line.prefix { $0 != 0 && $0 != 10 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
    }
    // The websocket handshake's data, kept in the session for the tests to read.
    business.onWebSocketConnect = { _, data in
        GatewayContext.session = ["get": data["get"] ?? nil, "cookie": data["cookie"] ?? nil]
        GatewayContext.session?["agent"] = data["server"]?.array?["HTTP_USER_AGENT"] ?? nil
    }
    let work = useconds_t(number("WORK_US", 0))
    business.onMessage = { clientID, message in
        let line = message.string
        if work > 0 { usleep(work) }
        if line.hasPrefix("all:") {
            for round in 0..<(Int(line.dropFirst(4)) ?? 0) { business.api.sendToAll("all\(round)") }
            return
        } else if line.hasPrefix("groups:") {
            for round in 0..<(Int(line.dropFirst(7)) ?? 0) {
                for group in 0..<100 { business.api.sendToGroup("g\(group)", "grp\(round)") }
            }
            return
        } else if line.hasPrefix("bind:") {
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

if roles.contains("bench-clients") { BenchClients.make() }

Worker.runAll()
