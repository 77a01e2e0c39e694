// chat: a websocket chat room with rooms, nicknames and join/leave notices, and the page that uses
// it, served by the same program. Four websocket processes talk through a Channel server, so two
// people in one room may be served by different processes and still see each other.
//
//   swift run -c release chat start
//   open http://127.0.0.1:8080/            (http://127.0.0.1:8080/?name=alice&room=swift joins at once)
//
//   HTTP_PORT=8080   the page (/), its settings (/config.js) and /health
//   WS_PORT=7272     the chat itself (the page learns this port from /config.js)
//   CHANNEL_PORT=2206
//   CHANNEL_URL=redis://127.0.0.1:6379   use Redis instead of a Channel server of this program (then
//                                         several chat servers can share the rooms)
//
// The chat protocol: one JSON object per websocket text message.
//   client -> server  {"type":"join","room":"lobby","name":"alice"}   join a room (leaving the last one)
//                     {"type":"say","text":"hello"}                    talk in the room
//   server -> client  {"type":"welcome","room":"lobby","name":"alice","worker_id":2}   your join worked
//                     {"type":"join","room":..,"name":..,"time":ms}    someone came in (you too)
//                     {"type":"leave","room":..,"name":..,"time":ms}   someone left or closed the page
//                     {"type":"say","room":..,"name":..,"text":..,"time":ms}
//                     {"type":"error","text":".."}                     a command was refused
import Foundation
import Workerman

let environment = ProcessInfo.processInfo.environment

let channelURL = environment["CHANNEL_URL"]
let channelServer = channelURL == nil ? ChannelServer("127.0.0.1", Int(environment["CHANNEL_PORT"] ?? "") ?? 2206) : nil

// MARK: the chat: websocket, 4 processes

let chat = Worker("websocket://0.0.0.0:\(environment["WS_PORT"] ?? "7272")")
chat.name = "ChatWebSocket"
chat.count = 4
chat.reusePort = true  // each process binds the port, so the kernel spreads the users over all four

// Who a connection is and where it sits, kept on the connection.
extension ContextKey where Value == String {
    static var nickname: Self { .init("nickname") }
    static var room: Self { .init("room") }
}

// This process's members of each room: room -> connection id -> connection. Other processes hold
// the other members; Channel carries every room event to all processes. One thread owns the map.
nonisolated(unsafe) var rooms: [String: [Int: TcpConnection]] = [:]

/// A JSON object as one line of text.
func json(_ value: Value) -> String {
    String(decoding: (try? JSONEncoder().encode(value)) ?? Data("{}".utf8), as: UTF8.self)
}

/// Milliseconds since 1970: the page shows them in the reader's own time zone.
func nowMilliseconds() -> Value { Value(Int(Date().timeIntervalSince1970 * 1000)) }

/// `text` trimmed and cut to `limit` characters, with control characters removed.
func clean(_ text: String?, limit: Int) -> String {
    let visible = (text ?? "").unicodeScalars.filter { !CharacterSet.controlCharacters.contains($0) }
    return String(String(String.UnicodeScalarView(visible)).trimmingCharacters(in: .whitespaces).prefix(limit))
}

/// Tells every member of `room`, in every process, about `event` (encoded once, here).
func publish(_ room: String, _ event: Value) {
    ChannelClient.publish("room", ["room": .string(room), "payload": .string(json(event))])
}

/// Takes `connection` out of its room and tells the others.
func leaveRoom(_ connection: TcpConnection) {
    guard let room = connection.context[.room] else { return }
    rooms[room]?[connection.id] = nil
    if rooms[room]?.isEmpty == true { rooms[room] = nil }
    connection.context[.room] = nil
    let name = connection.context[.nickname] ?? ""
    publish(room, ["type": "leave", "room": .string(room), "name": .string(name), "time": nowMilliseconds()])
}

chat.onWorkerStart = { _ in
    ChannelClient.connect(url: channelURL ?? channelServer!.localURL)
    // Every process hears every room event and forwards it to its own members of that room: one
    // frame encoded once for all of them.
    ChannelClient.on("room") { event in
        guard let room = event["room"].string, let members = rooms[room], let payload = event["payload"].string
        else { return }
        WebSocket.broadcast(.text(payload), to: members.values)
    }
}

chat.onMessage = { connection, data in
    guard let command = try? JSONDecoder().decode(Value.self, from: Data(data.string.utf8)) else {
        connection.send(json(["type": "error", "text": "send JSON, e.g. {\"type\":\"say\",\"text\":\"hi\"}"]))
        return
    }
    switch command["type"].string {
    case "join":
        let name = clean(command["name"].string, limit: 24)
        let room = clean(command["room"].string, limit: 32).lowercased()
        guard !name.isEmpty, !room.isEmpty else {
            connection.send(json(["type": "error", "text": "a name and a room, please"]))
            return
        }
        leaveRoom(connection)
        connection.context[.nickname] = name
        connection.context[.room] = room
        rooms[room, default: [:]][connection.id] = connection
        connection.send(
            json(["type": "welcome", "room": .string(room), "name": .string(name), "worker_id": Value(chat.id)]))
        publish(room, ["type": "join", "room": .string(room), "name": .string(name), "time": nowMilliseconds()])
    case "say":
        guard let room = connection.context[.room], let name = connection.context[.nickname] else {
            connection.send(json(["type": "error", "text": "join a room first"]))
            return
        }
        let text = clean(command["text"].string, limit: 2000)
        guard !text.isEmpty else { return }
        publish(
            room,
            [
                "type": "say", "room": .string(room), "name": .string(name), "text": .string(text),
                "time": nowMilliseconds(),
            ]
        )
    default:
        connection.send(json(["type": "error", "text": "unknown type"]))
    }
}

// A closed page leaves its room: the others see "alice left".
chat.onClose = { connection in leaveRoom(connection) }

// MARK: the page: http, 1 process

let web = Worker("http://0.0.0.0:\(environment["HTTP_PORT"] ?? "8080")")
web.name = "ChatWeb"

web.onRequest = { connection, request in
    switch request.path {
    case "/", "/index.html":
        connection.send(Response(200, headers: ["Content-Type": "text/html; charset=utf-8"], body: chatPage))
    case "/config.js":
        // The websocket port, which the page cannot guess (another port than the page's own).
        let port = chat.listeningPort.map(String.init) ?? "7272"
        connection.send(
            Response(
                200, headers: ["Content-Type": "application/javascript; charset=utf-8", "Cache-Control": "no-store"],
                body: "window.CHAT_CONFIG = { wsPort: \(port) };\n"))
    case "/health":
        connection.send("ok")
    default:
        connection.send(Response(404, body: "not found\n"))
    }
}

Worker.runAll()
