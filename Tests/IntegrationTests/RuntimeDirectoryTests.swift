import Foundation
import Glibc
import WorkermanTestSupport
import XCTest

/// `start` and `start -d` with a runtime directory where the pid file and log cannot be written.
final class RuntimeDirectoryTests: XCTestCase {
    private var scratch = ""

    override func setUpWithError() throws {
        scratch = NSTemporaryDirectory() + "workerman-rt-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
    }

    override func tearDown() {
        for pid in ProcessTable.processes(titled: "start_file=\(ServerProcess.product("probe-server"))") {
            kill(pid, SIGKILL)  // a daemon that should never have started
        }
        try? FileManager.default.removeItem(atPath: scratch)
        super.tearDown()
    }

    /// Runs `probe-server` with `arguments` and the runtime directory `directory`.
    private func start(_ arguments: [String], in directory: String) throws -> (status: Int32, output: String) {
        try ServerProcess.run(
            "probe-server", arguments, environment: ["WORKERMAN_RUNTIME_DIR": directory, "PORT": "0", "COUNT": "1"])
    }

    private func assertFailsInOneLine(_ result: (status: Int32, output: String), naming path: String) {
        XCTAssertEqual(result.status, 1, result.output)
        XCTAssertFalse(result.output.contains("Start success"), result.output)
        let lines = result.output.split(separator: "\n")
        XCTAssertEqual(lines.count, 1, result.output)
        XCTAssertTrue(result.output.contains(path), result.output)
    }

    func testADaemonStartUnderARegularFileFailsBeforeDetaching() throws {
        let file = scratch + "/not-a-directory"
        XCTAssertTrue(FileManager.default.createFile(atPath: file, contents: Data("x".utf8)))
        let result = try start(["start", "-d"], in: file + "/run")
        assertFailsInOneLine(result, naming: file + "/run")
        XCTAssertTrue(result.output.contains("Not a directory"), result.output)
        XCTAssertTrue(ProcessTable.processes(titled: "start_file=\(ServerProcess.product("probe-server"))").isEmpty)
    }

    func testADaemonStartInADirectoryNobodyCanCreateFilesInFails() throws {
        // procfs takes no new files, for root too: what a read-only mount looks like to the server.
        let result = try start(["start", "-d"], in: "/proc/self")
        assertFailsInOneLine(result, naming: "/proc/self")
    }

    func testAForegroundStartUnderARegularFileFailsToo() throws {
        let file = scratch + "/plain"
        XCTAssertTrue(FileManager.default.createFile(atPath: file, contents: nil))
        assertFailsInOneLine(try start(["start"], in: file), naming: file)
    }
}
