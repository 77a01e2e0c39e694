import Foundation
import WorkermanTestSupport
import XCTest

/// Sessions end to end: http-server's /counter counts visits in `request.session`, stored by the
/// file handler in SESSION_DIR, with curl keeping the cookie in a jar.
final class HttpSessionTests: HttpExampleTestCase {
    private func get(_ url: String, _ arguments: [String]) throws -> String {
        let (status, output) = try HttpExampleServer.run("curl", ["-sS"] + arguments + [url])
        XCTAssertEqual(status, 0, output)
        return output
    }

    func testACounterLivesInTheSessionAcrossRequestsAndProcesses() throws {
        let sessions = directory.appendingPathComponent("sessions").path
        let server = try HttpExampleServer(environment: ["SESSION_DIR": sessions, "HTTP_PROCESSES": "2"])
        self.server = server
        let url = "http://127.0.0.1:\(server.port)/counter"
        let jar = directory.appendingPathComponent("jar").path

        let first = try get(url, ["-i", "-c", jar, "-b", jar])
        let cookie = try XCTUnwrap(first.components(separatedBy: "\r\n").first { $0.hasPrefix("Set-Cookie: PHPSID=") })
        XCTAssertTrue(cookie.contains("; Path=/") && cookie.contains("; HttpOnly"), cookie)
        XCTAssertTrue(first.hasSuffix("visits 1"), first)
        for visit in 2...4 {
            XCTAssertEqual(try get(url, ["-c", jar, "-b", jar]), "visits \(visit)")  // new connections, any worker
        }
        let id = String(cookie.dropFirst("Set-Cookie: PHPSID=".count).prefix { $0 != ";" })
        let stored = try String(contentsOfFile: sessions + "/ses_" + id, encoding: .utf8)
        XCTAssertEqual(stored, "visits=4")
        let mode = try FileManager.default.attributesOfItem(atPath: sessions)[.posixPermissions] as? Int
        XCTAssertEqual(mode, 0o700)

        XCTAssertEqual(try get(url, []), "visits 1", "no cookie: a new session")
        let madeUp = try get(url, ["-i", "-b", "PHPSID=aaaaaaaaaaaaaaaaaaaaaaaa"])
        XCTAssertTrue(madeUp.hasSuffix("visits 1"), madeUp)
        XCTAssertTrue(madeUp.contains("Set-Cookie: PHPSID="), "an unknown id is replaced: \(madeUp)")
        XCTAssertFalse(madeUp.contains("PHPSID=aaaaaaaaaaaaaaaaaaaaaaaa"), madeUp)
        XCTAssertFalse(
            FileManager.default.fileExists(atPath: sessions + "/ses_aaaaaaaaaaaaaaaaaaaaaaaa"), "no fixation")

        XCTAssertEqual(try get(url + "?reset=1", ["-c", jar, "-b", jar]), "visits 5")
        XCTAssertEqual(try get(url, ["-c", jar, "-b", jar]), "visits 1", "flushed")
    }

    func testCookielessRequestsToAPageThatOnlyReadsTheSessionStoreNothingAndSetNoCookie() throws {
        let sessions = directory.appendingPathComponent("sessions").path
        let server = try HttpExampleServer(environment: ["SESSION_DIR": sessions])
        self.server = server
        let url = "http://127.0.0.1:\(server.port)/counter"
        for _ in 0..<50 {
            let answer = try get(url + "?peek=1", ["-i"])
            XCTAssertTrue(answer.hasSuffix("visits 0"), answer)
            XCTAssertFalse(answer.contains("Set-Cookie"), answer)
        }
        let files = (try? FileManager.default.contentsOfDirectory(atPath: sessions)) ?? []
        XCTAssertEqual(files, [], "no session stored for 50 cookieless readers")

        let written = try get(url, ["-i"])
        XCTAssertTrue(written.contains("Set-Cookie: PHPSID="), "a written session announces itself: \(written)")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: sessions).count, 1)
    }
}
