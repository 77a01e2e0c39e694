import Foundation
import Glibc
import WorkermanTestSupport
import XCTest

/// The Channel server dies (kill -9) while clients publish; it comes back; every subscription and
/// queue watch works again within 2 s, and nothing published after the reconnect is lost.
final class ChannelFaultTests: ProbeTestCase {
    /// `crash` kills the server; `restart` brings it back and returns when it is up again.
    private func checkRecovery(
        _ channel: ServerProcess, crash: (ServerProcess) -> Void, restart: (Int) throws -> Void
    ) throws {
        let channelPort = try port(channel, "frame")
        let workers = try startProbe("group-workers", ["COUNT": "4", "CHANNEL_PORT": String(channelPort)])
        XCTAssertTrue(eventually { self.lines(workers, "channel connected").count == 4 }, workers.log)
        let workersPort = try port(workers, "text")
        let members = try (0..<8).map { _ in try LineClient(port: workersPort) }
        for member in members {
            XCTAssertEqual(try member.ask(command(["cmd": "add_group", "group_id": "7"])), "joined 7")
        }
        let publisher = try LineClient(port: workersPort)

        // Publish continuously around the crash.
        func publish(_ message: String) throws {
            try publisher.send(command(["cmd": "send_to_group", "group_id": "7", "message": message]))
        }
        for index in 0..<50 {
            try publish("before-\(index)")
            usleep(2000)
        }
        crash(channel)
        for index in 0..<100 {
            try publish("during-\(index)")
            usleep(2000)
        }
        try restart(channelPort)
        let restartedAt = Date()
        XCTAssertTrue(eventually(timeout: 2) { self.lines(workers, "channel connected").count == 8 }, workers.log)

        // Within 2 s of the restart, a publish reaches the members again.
        var carried: [[String]] = Array(repeating: [], count: members.count)
        var recovered = false
        var probes = 0
        while !recovered && Date().timeIntervalSince(restartedAt) < 2 {
            probes += 1
            try publish("probe-\(probes)")
            let seen = try members[0].linesArriving(within: 0.1)
            recovered = seen.contains { $0.hasPrefix("probe-") }
            carried[0] += seen
        }
        XCTAssertTrue(recovered, "no event delivered within 2 s of the restart")
        print(
            "measured: restart to first event delivered again: \(Int(Date().timeIntervalSince(restartedAt) * 1000)) ms")

        // Nothing published after the reconnect is lost, and queue watches are back.
        for index in 0..<50 { try publish("after-\(index)") }
        for job in 0..<20 { try publisher.send(command(["cmd": "enqueue", "data": "after-job-\(job)"])) }
        let expected = (0..<50).map { "after-\($0)" }
        for (index, member) in members.enumerated() {
            let earlier = carried[index]
            let received =
                try earlier
                + member.linesArriving(within: 3) { Set(expected).isSubset(of: earlier + $0) }
            XCTAssertEqual(received.filter { $0.hasPrefix("after-") }, expected, "member \(index): all, in order")
            XCTAssertEqual(received.count, Set(received).count, "member \(index): no duplicates")
        }
        XCTAssertTrue(eventually(timeout: 2) { self.lines(workers, "job after-job-").count == 20 }, workers.log)
        usleep(100_000)
        XCTAssertEqual(Set(lines(workers, "job after-job-").map { $0.split(separator: " ")[1] }).count, 20)
        XCTAssertEqual(lines(workers, "job after-job-").count, 20, "each job exactly once")
    }

    func testTheChannelServerProcessKilledAndRestartedByItsMaster() throws {
        let channel = try startProbe("channel-server")
        try checkRecovery(channel) { channel in
            for pid in workerPIDs(channel) { kill(pid, SIGKILL) }
        } restart: { _ in
        }
    }

    func testTheWholeChannelServerProgramKilledAndStartedAgainOnItsPort() throws {
        let channel = try startProbe("channel-server")
        try checkRecovery(channel) { channel in
            crash(channel)
        } restart: { channelPort in
            _ = try startProbe("channel-server", ["PORT": String(channelPort)])
        }
    }
}
