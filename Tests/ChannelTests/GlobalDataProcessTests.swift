import Foundation
import Glibc
import WorkermanGlobalData
import WorkermanTestSupport
import XCTest

/// GlobalData with real processes: a server program, and programs whose 4 processes share it.
final class GlobalDataProcessTests: ProbeTestCase {
    func testFourProcessesIncrementingTenThousandTimesEachReachExactlyFortyThousand() throws {
        let server = try startProbe("globaldata-server")
        let globalPort = try port(server, "frame")
        let started = Date()
        let incrementers = try startProbe(
            "incrementers", ["COUNT": "4", "TIMES": "10000", "GLOBAL_PORT": String(globalPort)])
        XCTAssertTrue(eventually(timeout: 60) { self.lines(incrementers, "incremented").count == 4 }, incrementers.log)
        print(
            "measured: 40,000 increments from 4 processes (2 blocking, 2 pipelined): \(Int(Date().timeIntervalSince(started) * 1000)) ms"
        )
        for line in lines(incrementers, "incremented") { XCTAssertTrue(line.contains("failures=0"), String(line)) }
        let client = try GlobalDataClient("127.0.0.1:\(globalPort)")
        XCTAssertEqual(try client.get("counter"), 40_000)
    }

    func testFourProcessesIncrementingTenThousandTimesEachInRedisReachExactlyFortyThousand() throws {
        try RedisServer.require()
        let redis = try RedisServer()
        defer { redis.stop() }
        let started = Date()
        let incrementers = try startProbe(
            "incrementers", ["COUNT": "4", "TIMES": "10000", "GLOBAL_ADDRESS": redis.url + "/3"])
        XCTAssertTrue(eventually(timeout: 90) { self.lines(incrementers, "incremented").count == 4 }, incrementers.log)
        print(
            "measured: 40,000 increments in Redis from 4 processes (2 blocking, 2 pipelined): \(Int(Date().timeIntervalSince(started) * 1000)) ms"
        )
        for line in lines(incrementers, "incremented") { XCTAssertTrue(line.contains("failures=0"), String(line)) }
        XCTAssertEqual(try redis.cli("-n", "3", "GET", "counter"), "40000")
    }

    func testCasAsALockInRedisNeverLetsTwoProcessesIn() throws {
        try RedisServer.require()
        let redis = try RedisServer()
        defer { redis.stop() }
        let lockers = try startProbe("lockers", ["COUNT": "4", "TIMES": "200", "GLOBAL_ADDRESS": redis.url])
        XCTAssertTrue(eventually(timeout: 90) { self.lines(lockers, "locked").count == 4 }, lockers.log)
        for line in lines(lockers, "locked") { XCTAssertTrue(line.hasSuffix("violations=0"), String(line)) }
        let client = try GlobalDataClient(redis.url)
        XCTAssertEqual(try client.get("plain"), 800, "no read-modify-write under the lock was lost")
        XCTAssertEqual(try client.get("lock"), 0)
    }

    func testCasAsALockNeverLetsTwoProcessesIn() throws {
        let server = try startProbe("globaldata-server")
        let globalPort = try port(server, "frame")
        let lockers = try startProbe("lockers", ["COUNT": "4", "TIMES": "300", "GLOBAL_PORT": String(globalPort)])
        XCTAssertTrue(eventually(timeout: 60) { self.lines(lockers, "locked").count == 4 }, lockers.log)
        for line in lines(lockers, "locked") { XCTAssertTrue(line.hasSuffix("violations=0"), String(line)) }
        let client = try GlobalDataClient("127.0.0.1:\(globalPort)")
        XCTAssertEqual(try client.get("plain"), 1200, "no read-modify-write under the lock was lost")
        XCTAssertEqual(try client.get("lock"), 0)
        XCTAssertFalse(try client.isset("holder"))
    }

    func testWithADataFileTheDataSurvivesAStopAndAStart() throws {
        let dataFile = NSTemporaryDirectory() + "globaldata-\(UUID().uuidString).msgpack"
        defer { try? FileManager.default.removeItem(atPath: dataFile) }
        let first = try startProbe("globaldata-server", ["DATA_FILE": dataFile])
        let globalPort = try port(first, "frame")
        let client = try GlobalDataClient("127.0.0.1:\(globalPort)")
        try client.set("user:1", ["name": "ada", "tags": [1, 2.5, true, .null], "raw": .bytes([0, 255])])
        try client.set("hits", 41)
        first.signal(SIGINT)
        XCTAssertNotNil(first.waitForExit(timeout: 5), first.log)
        XCTAssertTrue(FileManager.default.fileExists(atPath: dataFile), "saved on stop")

        let second = try startProbe("globaldata-server", ["DATA_FILE": dataFile])
        let again = try GlobalDataClient("127.0.0.1:\(try port(second, "frame"))")
        XCTAssertEqual(
            try again.get("user:1"), ["name": "ada", "tags": [1, 2.5, true, .null], "raw": .bytes([0, 255])])
        XCTAssertEqual(try again.increment("hits"), 42)

        // A crash loses at most what changed since the last interval snapshot.
        let periodic = dataFile + ".periodic"
        defer { try? FileManager.default.removeItem(atPath: periodic) }
        let third = try startProbe("globaldata-server", ["DATA_FILE": periodic, "SNAPSHOT_MS": "100"])
        let crashing = try GlobalDataClient("127.0.0.1:\(try port(third, "frame"))")
        try crashing.set("kept", "yes")
        usleep(400_000)
        crash(third)
        let fourth = try startProbe("globaldata-server", ["DATA_FILE": periodic])
        XCTAssertEqual(try GlobalDataClient("127.0.0.1:\(try port(fourth, "frame"))").get("kept"), "yes")
    }
}
