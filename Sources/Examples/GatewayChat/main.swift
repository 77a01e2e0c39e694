// gateway-chat: seed 003's push service on GatewayWorker's model. A Register, a websocket Gateway
// (2 processes) holding the clients, 4 BusinessWorker processes running the chat's events, and an
// HTTP Worker that pushes to users through the Gateway API, as the seed's web application does.
//
//   swift run -c release gateway-chat start
//   open http://127.0.0.1:8081/            (the page: log in with a uid and groups, talk, push)
//
//   REGISTER_PORT=1236          the register (REGISTER_ADDRESS=host:port uses another server's instead;
//                               not 0: the gateways and business workers are given its address before it is bound)
//   WS_PORT=7273                the clients' websocket (wss when TLS_CERT and TLS_KEY are set)
//   GATEWAY_COUNT=2  GATEWAY_START_PORT=2900  LAN_IP=127.0.0.1
//   BUSINESS_COUNT=4
//   HTTP_PORT=8081              the page and the push API
//
// The contract (one JSON object per websocket text message):
//   client -> {"type":"login","uid":"<uid>","groups":["<g>",...]}
//          <- {"type":"login","client_id":"<20 hex characters>"}     (uid bound, groups joined, both in the session)
//          the other members of each group <- {"type":"join","group":"<g>","uid":"<uid>"}
//   (the client's connection closes) -> its groups' members <- {"type":"leave","group":"<g>","uid":"<uid>"}
//   client -> {"type":"say","group":"<g>","msg":"<text>"}
//          every member of <g> <- {"type":"say","from":"<sender uid>","msg":"<text>"}
//   GET /push?uid=<uid>&msg=<text>, /push?group=<g>&msg=<text>, /push?msg=<text> (everyone)
//          -> {"type":"push","msg":"<text>"} to those clients; answers {"ok":true}
//   GET /online?uid=<uid>   -> {"online":true|false}
//   GET /count, /count?group=<g>   -> {"count":<n>}
import Foundation
import Workerman
import WorkermanGateway
import WorkermanTLS

let environment = ProcessInfo.processInfo.environment
func setting(_ name: String, _ fallback: String) -> String {
    environment[name].flatMap { $0.isEmpty ? nil : $0 } ?? fallback
}

let registerAddress: String
if let other = environment["REGISTER_ADDRESS"], !other.isEmpty {
    registerAddress = other
} else {
    let port = setting("REGISTER_PORT", "1236")
    // Gateways and business workers get the register's address as they are made, before the master
    // binds the register: a port the kernel picks later cannot reach them.
    guard port != "0" else {
        let problem = "gateway-chat: REGISTER_PORT=0 cannot work; give the register a port\n"
        FileHandle.standardError.write(Data(problem.utf8))
        exit(1)
    }
    _ = Register("text://0.0.0.0:\(port)")
    registerAddress = "127.0.0.1:\(port)"
}

// MARK: the gateway: the clients' websocket connections

let gateway = Gateway("websocket://0.0.0.0:\(setting("WS_PORT", "7273"))")
gateway.worker.name = "ChatGateway"
gateway.worker.count = Int(setting("GATEWAY_COUNT", "2")) ?? 2
gateway.lanIp = setting("LAN_IP", "127.0.0.1")
gateway.startPort = Int(setting("GATEWAY_START_PORT", "2900")) ?? 2900
gateway.registerAddress = [registerAddress]
if let certificate = environment["TLS_CERT"], let key = environment["TLS_KEY"] {
    gateway.worker.tls = TLSServerContext(certificateChain: certificate, privateKey: key)
}

/// A JSON object as one line of text.
func json(_ object: [String: Any]) -> String {
    String(
        decoding: (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8),
        as: UTF8.self)
}

// MARK: the business workers: the chat's events

let business = BusinessWorker()
business.worker.name = "ChatBusinessWorker"
business.worker.count = Int(setting("BUSINESS_COUNT", "4")) ?? 4
business.registerAddress = [registerAddress]

business.onMessage = { clientID, message in
    guard let object = (try? JSONSerialization.jsonObject(with: Data(message.string.utf8))) as? [String: Any],
        let type = object["type"] as? String
    else { return }
    let api = business.api
    switch type {
    case "login":
        guard let uid = object["uid"] as? String, !uid.isEmpty else { return }
        let groups = (object["groups"] as? [String] ?? []).filter { !$0.isEmpty }
        api.bindUid(clientID, uid)
        for group in groups { api.joinGroup(clientID, group) }
        GatewayContext.session = ["uid": .string(uid), "groups": .array(PHPArray(list: groups.map { .string($0) }))]
        api.sendToCurrentClient(json(["type": "login", "client_id": clientID.description]))
        announce("join", of: uid, in: groups, exclude: clientID, through: api)
    case "say":
        guard let group = object["group"] as? String, let text = object["msg"] as? String else { return }
        let from = GatewayContext.session?["uid"]?.string ?? ""
        api.sendToGroup(group, json(["type": "say", "from": from, "msg": text]))
    default:
        break
    }
}

// A closed client's session still holds its uid and groups (the gateway has already taken it out
// of them): its groups are told it left.
business.onClose = { _ in
    guard let session = GatewayContext.session, let uid = session["uid"]?.string else { return }
    let groups = session["groups"]?.array?.orderedValues.compactMap(\.string) ?? []
    announce("leave", of: uid, in: groups, through: business.api)
}

/// Tells every member of each of `groups` but `exclude` that `uid` came in ("join") or left ("leave").
func announce(
    _ type: String, of uid: String, in groups: [String], exclude: ClientID? = nil, through api: AsyncGatewayClient
) {
    for group in groups {
        api.sendToGroup(group, json(["type": type, "group": group, "uid": uid]), exclude: exclude.map { [$0] } ?? [])
    }
}

// MARK: the web application: the page and the push API

let web = Worker("http://0.0.0.0:\(setting("HTTP_PORT", "8081"))")
web.name = "ChatWeb"
nonisolated(unsafe) var pushClient: AsyncGatewayClient!  // made in the process, one thread
web.onWorkerStart = { _ in pushClient = AsyncGatewayClient(registerAddress: [registerAddress]) }

func reply(_ connection: Connection, _ object: [String: Any], status: Int = 200) {
    connection.send(Response(status, headers: ["Content-Type": "application/json"], body: json(object)))
}

web.onRequest = { connection, request in
    switch request.path {
    case "/", "/index.html":
        connection.send(Response(200, headers: ["Content-Type": "text/html; charset=utf-8"], body: gatewayChatPage))
    case "/config.js":
        let port = gateway.worker.listeningPort.map(String.init) ?? setting("WS_PORT", "7273")
        let scheme = environment["TLS_CERT"] == nil ? "ws" : "wss"
        connection.send(
            Response(
                200, headers: ["Content-Type": "application/javascript; charset=utf-8", "Cache-Control": "no-store"],
                body: "window.CHAT_CONFIG = { wsPort: \(port), scheme: \"\(scheme)\" };\n"))
    case "/push":
        let text = request.get("msg") ?? ""
        let payload = json(["type": "push", "msg": text])
        if let uid = request.get("uid") {
            pushClient.sendToUid(uid, payload)
        } else if let group = request.get("group") {
            pushClient.sendToGroup(group, payload)
        } else {
            pushClient.sendToAll(payload)
        }
        reply(connection, ["ok": true])
    case "/online":
        pushClient.isUidOnline(request.get("uid") ?? "") { result in
            switch result {
            case .success(let online): reply(connection, ["online": online])
            case .failure(let error): reply(connection, ["error": "\(error)"], status: 503)
            }
        }
    case "/count":
        let done: (Result<Int, GatewayError>) -> Void = { result in
            switch result {
            case .success(let count): reply(connection, ["count": count])
            case .failure(let error): reply(connection, ["error": "\(error)"], status: 503)
            }
        }
        if let group = request.get("group") {
            pushClient.getClientIdCountByGroup(group, done)
        } else {
            pushClient.getAllClientIdCount(done)
        }
    default:
        connection.send(Response(404, body: "not found\n"))
    }
}

Worker.runAll()
