// cluster-push: the manual's Channel cluster push. Users log in over websocket (4 processes); any
// program pushes to a user with an HTTP request, and Channel carries the push to whichever process
// holds that user's connections (there may be several: one per open tab, in any process). Several
// servers running this program and pointing CHANNEL_HOST/CHANNEL_PORT at one Channel server form
// a cluster: the push reaches the user wherever they are connected.
//
//   WS_PORT=4236 HTTP_PORT=4237 CHANNEL_PORT=2206 cluster-push start
//   WS_PORT=4236 HTTP_PORT=4237 CHANNEL_URL=redis://10.0.0.5:6379 cluster-push start   (every server
//   of the cluster points at one Redis instead; no Channel server runs)
//   python3 -m websockets ws://127.0.0.1:4236/          then send: alice
//   curl 'http://127.0.0.1:4237/?uid=alice&msg=hello'  (or POST uid=alice&msg=hello)  -> ok
//   curl 'http://127.0.0.1:4237/?msg=hello'            no uid: to every connected user
//
// The websocket side: the first message is the uid (a real service checks a token here); the server
// answers {"type":"login","uid":"alice","worker_id":N} and then sends each push as a text message.
import Foundation
import Workerman

let environment = ProcessInfo.processInfo.environment
let channelHost = environment["CHANNEL_HOST"] ?? "127.0.0.1"
let channelURL = environment["CHANNEL_URL"]  // redis://...: Redis instead of a Channel server

// The Channel server, part of this program. In a cluster, one server runs it (bind 0.0.0.0 there)
// and the others point CHANNEL_HOST at it; set NO_CHANNEL_SERVER=1 on those.
let channelServer: ChannelServer? =
    environment["NO_CHANNEL_SERVER"] == "1" || channelURL != nil
    ? nil : ChannelServer("127.0.0.1", Int(environment["CHANNEL_PORT"] ?? "") ?? 2206)

/// Where Channel is: Redis, or the Channel server with its real port when this program runs it (it
/// may listen on port 0).
let channelAddress = {
    let port = channelServer?.worker.listeningPort.map(Int.init) ?? Int(environment["CHANNEL_PORT"] ?? "") ?? 2206
    return channelURL ?? "frame://\(channelHost):\(port)"
}

// MARK: the websocket side: users log in and receive pushes

let pusher = Worker("websocket://0.0.0.0:\(environment["WS_PORT"] ?? "4236")")
pusher.name = "pusher"
pusher.count = 4
pusher.reusePort = true  // each process binds the port, so the kernel spreads users over all four

extension ContextKey where Value == String {
    static var uid: Self { .init("uid") }
}

// This process's users: uid -> connection id -> connection. One thread per process owns it.
nonisolated(unsafe) var users: [String: [Int: TcpConnection]] = [:]

pusher.onWorkerStart = { worker in
    ChannelClient.connect(url: channelAddress())
    // Every process hears every push and delivers it to the connections it holds for that uid
    // (usually none). Processes share no memory, so asking them all is the simple, correct way.
    ChannelClient.on("push") { event in
        let message = event["message"].string ?? ""
        if let uid = event["uid"].string {
            for connection in users[uid]?.values ?? [:].values { connection.send(message) }
        } else {
            // No uid: a broadcast to every user of this process (encoded once for all of them).
            WebSocket.broadcast(.text(message), to: worker.connections.values)
        }
    }
}

pusher.onMessage = { connection, data in
    guard connection.context[.uid] == nil else { return }
    let uid = data.string.trimmingCharacters(in: .whitespacesAndNewlines)
    guard !uid.isEmpty else { return }
    connection.context[.uid] = uid
    users[uid, default: [:]][connection.id] = connection
    let reply: Value = ["type": "login", "uid": .string(uid), "worker_id": Value(pusher.id)]
    connection.send(String(decoding: (try? JSONEncoder().encode(reply)) ?? Data(), as: UTF8.self))
}

pusher.onClose = { connection in
    guard let uid = connection.context[.uid] else { return }
    users[uid]?[connection.id] = nil
    if users[uid]?.isEmpty == true { users[uid] = nil }
}

// MARK: the HTTP side: other programs push

let publisher = Worker("http://0.0.0.0:\(environment["HTTP_PORT"] ?? "4237")")
publisher.name = "publisher"

publisher.onWorkerStart = { _ in ChannelClient.connect(url: channelAddress()) }

publisher.onRequest = { connection, request in
    // GET /?uid=alice&msg=hello, or a POST form with the same fields.
    let uid = request.get("uid") ?? request.post("uid")
    guard let message = request.get("msg") ?? request.post("msg"), !message.isEmpty else {
        connection.send(Response(400, body: "give msg (and uid), e.g. /?uid=alice&msg=hello\n"))
        return
    }
    var event: Value = ["message": .string(message)]
    if let uid, !uid.isEmpty { event = ["uid": .string(uid), "message": .string(message)] }
    // "ok" means published; the Channel server hands it to every process, and the one holding the
    // user delivers it. A user who is not online simply gets nothing.
    if ChannelClient.publish("push", event) {
        connection.send("ok")
    } else {
        connection.send(Response(503, body: "Channel unavailable\n"))
    }
}

Worker.runAll()
