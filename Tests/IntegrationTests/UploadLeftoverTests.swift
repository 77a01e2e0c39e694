import Foundation
import Glibc
import WorkermanTestSupport
import XCTest

/// Temporary upload files live in a directory per worker process; a process killed mid-upload
/// leaves its files behind only until the next worker process of the server starts, and a live
/// sibling's files are never touched.
final class UploadLeftoverTests: XCTestCase {
    private var server: ExampleServer?
    private var uploads = ""

    override func setUpWithError() throws {
        uploads = NSTemporaryDirectory() + "workerman-uploads-test-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: uploads, withIntermediateDirectories: true)
    }

    override func tearDown() {
        if let server {
            let workers = server.workerPIDs
            server.stop()
            for pid in workers { kill(pid, SIGKILL) }
        }
        try? FileManager.default.removeItem(atPath: uploads)
        super.tearDown()
    }

    /// The upload files `pid` has open (from /proc/<pid>/fd).
    private func openUploads(_ pid: pid_t) -> [String] {
        let directory = "/proc/\(pid)/fd"
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return entries.compactMap { try? FileManager.default.destinationOfSymbolicLink(atPath: directory + "/" + $0) }
            .filter { $0.hasPrefix(uploads) }
    }

    func testAWorkerKilledMidUploadLeavesNoFileAfterItsReplacementStartsAndItsSiblingKeepsItsOwn() throws {
        let server = try ExampleServer(
            "http-server", environment: ["HTTP_PORT": "0", "HTTP_PROCESSES": "2", "UPLOAD_DIR": uploads])
        self.server = server
        let port = try server.port("http")
        XCTAssertTrue(server.eventually { server.workerPIDs.count == 2 })
        let workers = server.workerPIDs
        // Uploads that stay in progress (4 MiB of 50 MB sent): until each worker holds one.
        var clients: [BlockingClient] = []
        let piece = [UInt8](repeating: 0x61, count: 4 * 1024 * 1024)
        for _ in 0..<12 where !workers.allSatisfy({ !openUploads($0).isEmpty }) {
            let client = try BlockingClient(port: port, timeout: 10)
            try client.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 50000000\r\n\r\n")
            try client.send(piece)
            clients.append(client)
            _ = server.eventually(timeout: 2) { workers.reduce(0) { $0 + self.openUploads($1).count } >= clients.count }
        }
        defer { for client in clients { client.close() } }
        try XCTSkipUnless(
            workers.allSatisfy { !openUploads($0).isEmpty }, "the kernel gave every upload to one process")
        let victim = workers[0]
        let sibling = workers[1]
        let victimFiles = openUploads(victim)
        let siblingFiles = openUploads(sibling)
        XCTAssertTrue(victimFiles.allSatisfy { FileManager.default.fileExists(atPath: $0) })

        kill(victim, SIGKILL)
        XCTAssertTrue(
            server.eventually(timeout: 20) { server.workerPIDs.count == 2 && !server.workerPIDs.contains(victim) },
            server.log)
        XCTAssertTrue(
            server.eventually(timeout: 10) { victimFiles.allSatisfy { !FileManager.default.fileExists(atPath: $0) } },
            "left over: \(victimFiles)\n\(server.log)")
        XCTAssertTrue(
            siblingFiles.allSatisfy { FileManager.default.fileExists(atPath: $0) }, "the live sibling's files stay")
        XCTAssertEqual(openUploads(sibling), siblingFiles, "and are still being written")
    }
}
