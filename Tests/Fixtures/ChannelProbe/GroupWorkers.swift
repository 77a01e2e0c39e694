import Foundation
import Glibc
import Workerman
// Seed 000 (group send), on the text protocol instead of websocket: one JSON command per line.
//   {"cmd":"add_group","group_id":"123"}            join a group
//   {"cmd":"send_to_group","group_id":"123","message":"..."}  publish to the group's members everywhere
//   {"cmd":"enqueue","data":"..."}                  put a job on the Channel queue "jobs"
//   whoami                                          answers "<worker id> <pid>"
// Prints "channel connected id=N pid=P" on each (re)connect to Channel, "groups after <message>:
// pid=P 123=2 456=1" (the seed's var_dump) on each send_to_group event, "job <data> pid=P" per job.
import WorkermanChannel

extension ContextKey where Value == Set<String> {
    static var groups: Self { .init("groups") }
}

enum GroupWorkers {
    /// Group id to the member connections of this process, by connection id (seed's $group_con_map).
    nonisolated(unsafe) static var groupConnections: [String: [Int: TcpConnection]] = [:]

    static func make(count: Int, channelPort: Int) {
        let worker = Worker("text://127.0.0.1:0")
        worker.count = count
        worker.name = "groups"
        worker.reusePort = true  // the kernel spreads the clients over the processes
        worker.onWorkerStart = { worker in
            ChannelClient.onConnect = { say("channel connected id=\(worker.id) pid=\(getpid())") }
            ChannelClient.connect("127.0.0.1", channelPort)
            ChannelClient.on("send_to_group") { event in
                let groupID = event["group_id"].string ?? ""
                let message = event["message"].string ?? ""
                let sizes = groupConnections.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value.count)" }
                say("groups after \(message): pid=\(getpid()) " + sizes.joined(separator: " "))
                for connection in groupConnections[groupID]?.values ?? [:].values { connection.send(message) }
            }
            ChannelClient.watch("jobs") { job in say("job \(job.string ?? "?") pid=\(getpid())") }
        }
        worker.onMessage = { connection, data in
            if data.string == "whoami" {
                connection.send("\(worker.id) \(getpid())")
                return
            }
            guard let command = try? JSONSerialization.jsonObject(with: Data(data.string.utf8)) as? [String: String]
            else { return }
            let groupID = command["group_id"] ?? ""
            switch command["cmd"] {
            case "add_group":
                groupConnections[groupID, default: [:]][connection.id] = connection
                connection.context[.groups, default: []].insert(groupID)
                connection.send("joined \(groupID)")
            case "send_to_group":
                ChannelClient.publish(
                    "send_to_group", ["group_id": Value(groupID), "message": Value(command["message"] ?? "")])
            case "enqueue":
                ChannelClient.enqueue("jobs", Value(command["data"] ?? ""))
            default: break
            }
        }
        // Important: remove a closed connection from every group it joined, and drop emptied groups
        // (the seed checks only the last group).
        worker.onClose = { connection in
            for groupID in connection.context[.groups] ?? [] {
                groupConnections[groupID]?[connection.id] = nil
                if groupConnections[groupID]?.isEmpty == true { groupConnections[groupID] = nil }
            }
        }
    }
}

func say(_ line: String) { StandardStream.output(line + "\n") }
