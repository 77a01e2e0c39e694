// group-push: the manual's group send (seeds 000 and 001). A websocket Worker with 4 processes and a
// Channel server in the same program: a client joins groups, and a message sent to a group reaches
// every member exactly once, whichever process holds it.
//
//   WS_PORT=1234 CHANNEL_PORT=2206 group-push start
//   WS_PORT=1234 CHANNEL_URL=redis://127.0.0.1:6379 group-push start     (Redis instead of a Channel server)
//   python3 -m websockets ws://127.0.0.1:1234/
//   > {"cmd":"add_group","group_id":"123"}
//   > {"cmd":"send_to_group","group_id":"123","message":"这个是消息"}
//   < 这个是消息
//
// Commands (one JSON object per websocket text message):
//   {"cmd":"add_group","group_id":"123"}                       join group 123 (no answer, as in the seed)
//   {"cmd":"send_to_group","group_id":"123","message":"..."}   deliver the raw message to every member
//   {"cmd":"whoami"}                                           answers {"worker_id":N,"pid":P}: which
//                                                              process serves this connection
// Each process prints its groups when a group message arrives (the seed's var_dump), e.g.
// "groups after <message>: worker=2 pid=4711 123=8 456=3".
import Foundation
import Workerman

let environment = ProcessInfo.processInfo.environment

// The Channel server: one more process of this program, a pub/sub hub on a frame:// port. Bind
// 0.0.0.0 instead when the processes of other servers join in (a cluster).
let channelURL = environment["CHANNEL_URL"]  // redis://...: Redis carries the groups, no Channel server here
let channelServer = channelURL == nil ? ChannelServer("127.0.0.1", Int(environment["CHANNEL_PORT"] ?? "") ?? 2206) : nil

let worker = Worker("websocket://0.0.0.0:\(environment["WS_PORT"] ?? "1234")")
worker.name = "GroupPush"
worker.count = 4
// Each process binds the port itself (SO_REUSEPORT), so the kernel spreads new connections over all
// four; with one shared socket an idle process takes them all.
worker.reusePort = true

// The groups a connection joined, kept on the connection (the seed's `$con->group_id`), so that
// onClose can remove it from each of them.
extension ContextKey where Value == Set<String> {
    static var groups: Self { .init("groups") }
}

// This process's members of each group: group id -> connection id -> connection (the seed's
// `$group_con_map`). Processes share no memory: each one knows only its own connections, and
// Channel tells every process about every group message. One thread per process owns this map.
nonisolated(unsafe) var groupConnections: [String: [Int: TcpConnection]] = [:]

worker.onWorkerStart = { worker in
    // Redis, or the Channel server's real port (it may have been started on port 0).
    ChannelClient.connect(url: channelURL ?? channelServer!.localURL)
    // Every process subscribes; a publish from any process reaches all of them, the publisher's
    // own included, and each delivers to its local members only: so every member gets it once.
    ChannelClient.on("send_to_group") { event in
        let groupID = event["group_id"].string ?? ""
        let message = event["message"].string ?? ""
        let sizes = groupConnections.keys.sorted().map { "\($0)=\(groupConnections[$0]?.count ?? 0)" }
        StandardStream.output(
            "groups after \(message): worker=\(worker.id) pid=\(getpid()) \(sizes.joined(separator: " "))\n")
        for connection in groupConnections[groupID]?.values ?? [:].values {
            connection.send(message)  // the raw string, as a websocket text message
        }
    }
}

worker.onMessage = { connection, data in
    guard let command = try? JSONDecoder().decode(Value.self, from: Data(data.string.utf8))
    else { return }  // not JSON: ignore it
    let groupID = command["group_id"].string ?? ""
    switch command["cmd"].string {
    case "add_group":
        groupConnections[groupID, default: [:]][connection.id] = connection
        connection.context[.groups, default: []].insert(groupID)
    case "send_to_group":
        // To every process of every server on this Channel server, this one included.
        ChannelClient.publish("send_to_group", ["group_id": .string(groupID), "message": command["message"]])
    case "whoami":
        connection.send(#"{"worker_id":\#(worker.id),"pid":\#(getpid())}"#)
    default:
        break
    }
}

// Important: a closed connection leaves every group it joined, and a group left empty goes, or the
// map would keep closed connections forever. (The seed checks only the last group for emptiness.)
worker.onClose = { connection in
    for groupID in connection.context[.groups] ?? [] {
        groupConnections[groupID]?[connection.id] = nil
        if groupConnections[groupID]?.isEmpty == true { groupConnections[groupID] = nil }
    }
}

Worker.runAll()
