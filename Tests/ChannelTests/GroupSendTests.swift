import Foundation
import Glibc
import WorkermanTestSupport
import XCTest

/// Seed 000 (group send) with real processes: a Channel server program and a program whose text
/// Worker runs 4 processes, each a Channel client; clients spread over the 4 processes.
final class GroupSendTests: ProbeTestCase {
    private func startGroupWorkers() throws -> (channel: ServerProcess, workers: ServerProcess, port: Int) {
        let channel = try startProbe("channel-server")
        let workers = try startProbe(
            "group-workers", ["COUNT": "4", "CHANNEL_PORT": String(try port(channel, "frame"))])
        XCTAssertTrue(eventually { self.lines(workers, "channel connected").count == 4 }, workers.log)
        return (channel, workers, try port(workers, "text"))
    }

    /// Connects `count` clients; returns them with the pid of the process that serves each.
    private func connect(_ count: Int, port: Int) throws -> [(client: LineClient, pid: String)] {
        try (0..<count).map { _ in
            let client = try LineClient(port: port)
            let pid = try client.ask("whoami").split(separator: " ").last.map(String.init) ?? ""
            return (client, pid)
        }
    }

    func testEveryMemberInEveryProcessGetsTheGroupMessageOnceAndOthersNothing() throws {
        let (_, workers, port) = try startGroupWorkers()
        let clients = try connect(40, port: port)
        XCTAssertEqual(Set(clients.map(\.pid)).count, 4, "40 clients over the 4 processes: \(clients.map(\.pid))")
        for (index, peer) in clients.enumerated() {
            let group = index < 30 ? "123" : "456"
            XCTAssertEqual(try peer.client.ask(command(["cmd": "add_group", "group_id": group])), "joined \(group)")
        }
        // Client 0 also joins three groups alone, to check that closing it cleans every group it joined
        // (the seed's onClose drops at most one emptied group).
        for group in ["777", "778", "779"] {
            XCTAssertEqual(
                try clients[0].client.ask(command(["cmd": "add_group", "group_id": group])), "joined \(group)")
        }

        // A non-member on some process publishes; members in all 4 processes (its own included) get it.
        let message = "这个是消息"
        try clients[35].client.send(command(["cmd": "send_to_group", "group_id": "123", "message": message]))
        for (index, peer) in clients.enumerated() where index < 30 {
            XCTAssertEqual(try peer.client.readLine(), message, "member \(index) on pid \(peer.pid)")
        }
        for (index, peer) in clients.enumerated() {
            XCTAssertEqual(
                try peer.client.linesArriving(within: index == 0 ? 0.3 : 0.01), [], "client \(index): no more")
        }
        XCTAssertTrue(eventually { self.lines(workers, "groups after \(message):").count == 4 }, workers.log)

        // A closed member leaves every group it joined, in its own process; empty groups go.
        clients[0].client.close()
        usleep(100_000)
        let second = "second message"
        try clients[35].client.send(command(["cmd": "send_to_group", "group_id": "123", "message": second]))
        for (index, peer) in clients.enumerated() where index > 0 && index < 30 {
            XCTAssertEqual(try peer.client.readLine(), second, "member \(index)")
        }
        XCTAssertTrue(eventually { self.lines(workers, "groups after \(second):").count == 4 }, workers.log)
        let report = lines(workers, "groups after \(second):")
        XCTAssertFalse(report.contains { $0.contains(" 77") }, "groups 777-779 dropped once empty:\n\(report)")
        let members = report.flatMap { $0.split(separator: " ") }.filter { $0.hasPrefix("123=") }
        XCTAssertEqual(members.compactMap { Int($0.dropFirst(4)) }.reduce(0, +), 29, "\(report)")
        for (index, peer) in clients.enumerated() where index > 0 {
            XCTAssertEqual(try peer.client.linesArriving(within: index == 1 ? 0.3 : 0.01), [], "client \(index)")
            peer.client.close()
        }
    }

    func testAWorkQueueMessageGoesToExactlyOneProcess() throws {
        let (_, workers, port) = try startGroupWorkers()
        let client = try LineClient(port: port)
        for job in 1...40 { try client.send(command(["cmd": "enqueue", "data": "J\(job)"])) }
        XCTAssertTrue(eventually { self.lines(workers, "job ").count >= 40 }, workers.log)
        usleep(200_000)
        let jobs = lines(workers, "job ").map { $0.split(separator: " ")[1] }
        XCTAssertEqual(jobs.count, 40, "each job once")
        XCTAssertEqual(Set(jobs).count, 40)
        let consumers = Set(lines(workers, "job ").map { $0.split(separator: " ")[2] })
        XCTAssertGreaterThan(consumers.count, 1, "several processes consume: \(consumers)")
    }
}
