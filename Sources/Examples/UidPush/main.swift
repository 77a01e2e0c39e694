// uid-push: push to a logged-in user from other programs (seed 004, the manual's push.php).
// A websocket Worker whose clients log in by sending their uid as the first message, a heartbeat that
// closes clients silent for HEARTBEAT_S seconds, and an inner text Worker on PUSH_PORT, opened in the
// same process, where any program pushes one JSON line {"uid":"42","message":"..."} and reads back
// "ok" (delivered) or "fail" (no such uid online).
//
//   WS_PORT=8013 PUSH_PORT=5678 HEARTBEAT_S=55 uid-push start
//   python3 -m websockets ws://127.0.0.1:8013/          then send: 42
//   echo '{"uid":"42","message":"your order shipped"}' | nc -q1 127.0.0.1 5678        prints: ok
//
// The websocket client receives the pushed line itself (without its newline) as one text message.
import Foundation
import Workerman

let environment = ProcessInfo.processInfo.environment
let heartbeat = Double(environment["HEARTBEAT_S"] ?? "") ?? 55  // seconds of silence before a close
let pushPort = environment["PUSH_PORT"] ?? "5678"

let ws = Worker("websocket://0.0.0.0:\(environment["WS_PORT"] ?? "8013")")
ws.name = "UidPush"
// One process: the inner text Worker below shares this process's connections, and so its uid map.
// With more processes a push would reach only the clients of the one process that accepted it
// (see cluster-push for the multi-process way, through Channel).
ws.count = 1

// Typed per-connection data instead of PHP's ad-hoc `$connection->uid` and `->lastMessageTime`.
extension ContextKey where Value == String {
    static var uid: Self { .init("uid") }
}
extension ContextKey where Value == Double {
    static var lastMessageTime: Self { .init("lastMessageTime") }
}

// uid -> connection, for this process (the seed's `$ws->uidConnections`). One thread owns it.
nonisolated(unsafe) var uidConnections: [String: TcpConnection] = [:]

/// Sends `message` to the connection logged in as `uid`; false when nobody is.
func sendMessageByUid(_ uid: String, _ message: String) -> Bool {
    guard let connection = uidConnections[uid] else { return false }
    connection.send(message)
    return true
}

func now() -> Double { Date().timeIntervalSince1970 }

ws.onWorkerStart = { ws in
    // The heartbeat: once a second, close every connection silent for longer than `heartbeat`.
    Timer.add(1) {
        let timeNow = now()
        for connection in ws.connections.values {
            // A connection that has sent nothing yet starts its clock at the first tick.
            guard let last = connection.context[.lastMessageTime] else {
                connection.context[.lastMessageTime] = timeNow
                continue
            }
            if timeNow - last > heartbeat {
                if connection.webSocket.isOpen {
                    // A close frame (1001 "going away"), then the close: a browser sees a clean close.
                    connection.webSocket.close(code: 1001, reason: "heartbeat timeout")
                } else {
                    connection.close()  // it never finished the websocket handshake
                }
            }
        }
    }

    // An inner port for the other programs of the system: text protocol, one JSON line per push.
    // It is opened here, inside the websocket Worker's process, so both Workers share memory.
    let inner = Worker("text://0.0.0.0:\(pushPort)")
    inner.onMessage = { connection, buffer in
        let data = try? JSONDecoder().decode(Value.self, from: Data(buffer.string.utf8))
        let uid = data?["uid"].string ?? data?["uid"].int.map(String.init) ?? ""
        // The whole line goes to the user's page, which parses it.
        let delivered = !uid.isEmpty && sendMessageByUid(uid, buffer.string)
        connection.send(delivered ? "ok" : "fail")
    }
    try inner.listen()  // throwing stops this process; the master logs why and starts another
    StandardStream.output("push port: \(inner.listenDescription)\n")
}

ws.onMessage = { connection, data in
    connection.context[.lastMessageTime] = now()  // any message counts as a heartbeat
    guard connection.context[.uid] == nil else { return }
    // Not logged in yet: the first message that is a non-zero integer is the uid (the seed's
    // intval() check; a real service would verify a token here).
    let uid = data.string.trimmingCharacters(in: .whitespacesAndNewlines)
    guard let number = Int(uid), number != 0 else { return }
    connection.context[.uid] = uid
    uidConnections[uid]?.close()  // the same uid logging in again replaces the older connection
    uidConnections[uid] = connection
    StandardStream.output("\(uid) online\n")
}

ws.onClose = { connection in
    guard let uid = connection.context[.uid] else { return }
    StandardStream.output("\(uid) offline\n")
    // Remove the mapping only if it is still this connection (not a newer login of the same uid).
    if uidConnections[uid] === connection { uidConnections[uid] = nil }
}

Worker.runAll()
