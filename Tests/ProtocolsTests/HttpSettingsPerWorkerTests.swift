import Foundation
import Workerman
import WorkermanTestSupport
import XCTest

/// Settings belong to each Worker: two `http://` Workers in one process with different body limits,
/// timeouts and session settings each keep their own.
final class HttpSettingsPerWorkerTests: XCTestCase {
    private var workers: [Worker] = []
    private var directories: [String] = []

    override func tearDown() {
        for worker in workers {
            for connection in worker.connections.values { connection.destroy() }
            worker.unlisten()
        }
        workers.removeAll()
        for directory in directories { try? FileManager.default.removeItem(atPath: directory) }
        Timer.delAll()
        for _ in 0..<3 { EventLoop.current.runOnce(maxWait: 0) }
        super.tearDown()
    }

    private func startHttp(_ configure: (HttpSettings) -> Void) throws -> Int {
        let worker = Worker("http://127.0.0.1:0")
        let directory = NSTemporaryDirectory() + "sessions-\(UUID().uuidString)"
        directories.append(directory)
        worker.http.session.handler = FileSessionHandler(directory: directory)
        configure(worker.http)
        worker.onRequest = { connection, request in
            request.session.set("seen", "yes")
            connection.send("body \(request.bodySize)")
        }
        try worker.listen()
        workers.append(worker)
        return Int(worker.localAddress?.port ?? 0)
    }

    func testTwoHttpWorkersKeepTheirOwnBodyLimitTimeoutsAndSessions() throws {
        let strict = try startHttp { http in
            http.maxBodySize = 100
            http.uploadMemoryLimit = 50
            http.headerTimeout = 1
            http.session.name = "STRICTSID"
        }
        let lenient = try startHttp { http in
            http.uploadMemoryLimit = 50
            http.session.name = "LENIENTSID"
        }
        let post = "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 200\r\n\r\n" + String(repeating: "x", count: 200)
        XCTAssertTrue(
            try runWithClient(timeout: 30) {
                let refused = try BlockingClient(port: strict, timeout: 10)
                try refused.send(post)
                let refusal = try refused.receiveAll()
                try check(refusal.hasPrefix("HTTP/1.1 413"), "strict Worker refuses 200 bytes: \(refusal)")

                let accepted = try BlockingClient(port: lenient, timeout: 10)
                try accepted.send(post)
                let answer = try accepted.receive(untilSuffix: "body 200")
                try check(answer.hasPrefix("HTTP/1.1 200"), "lenient Worker takes 200 bytes: \(answer)")
                try check(answer.contains("Set-Cookie: LENIENTSID="), "lenient session cookie: \(answer)")

                let small = try BlockingClient(port: strict, timeout: 10)
                try small.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n")
                let strictAnswer = try small.receive(untilSuffix: "body 0")
                try check(strictAnswer.contains("Set-Cookie: STRICTSID="), "strict session cookie: \(strictAnswer)")

                // A head left unfinished: the strict Worker answers 408 after its 1 s; the lenient
                // one (30 s) still answers the same head once it is completed afterwards.
                let slowStrict = try BlockingClient(port: strict, timeout: 10)
                let slowLenient = try BlockingClient(port: lenient, timeout: 10)
                try slowStrict.send("GET / HTTP/1.1\r\nHost: h\r\n")
                try slowLenient.send("GET / HTTP/1.1\r\nHost: h\r\n")
                let timedOut = try slowStrict.receiveAll()
                try check(timedOut.hasPrefix("HTTP/1.1 408"), "strict head timeout: \(timedOut)")
                try slowLenient.send("\r\n")
                let late = try slowLenient.receive(untilSuffix: "body 0")
                try check(late.hasPrefix("HTTP/1.1 200"), "lenient Worker still waits: \(late)")
            })
    }
}
