import Foundation
import WorkermanTestSupport
import XCTest

/// Uploads larger than `http.uploadMemoryLimit` stream to disk: a 50 MB body reaches http-server's
/// /echo intact (its SHA-256 matches) while the worker's peak memory stays far below the upload, with
/// a Content-Length or in chunked transfer coding.
final class HttpUploadTests: HttpExampleTestCase {
    /// A file of `size` random bytes and its SHA-256 (by sha256sum).
    private func randomFile(_ name: String, size: Int) throws -> (path: String, sha256: String) {
        let path = directory.appendingPathComponent(name).path
        let (status, output) = try HttpExampleServer.run(
            "sh", ["-c", "head -c \(size) /dev/urandom > '\(path)' && sha256sum '\(path)'"])
        XCTAssertEqual(status, 0, output)
        return (path, String(output.prefix(64)))
    }

    /// POSTs with curl (verbose, so that the 100 Continue shows) and returns the JSON reply and curl's trace.
    private func post(_ arguments: [String], port: Int) throws -> ([String: Any], String) {
        let reply = directory.appendingPathComponent("reply.json").path
        let (status, trace) = try HttpExampleServer.run(
            "curl", ["-sS", "-v", "-o", reply] + arguments + ["http://127.0.0.1:\(port)/echo"], timeout: 120)
        XCTAssertEqual(status, 0, trace)
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: reply)))
        return (try XCTUnwrap(json as? [String: Any]), trace)
    }

    /// POSTs the field "note" and the file at `file.path` as multipart/form-data (curl's `-F`, after
    /// `arguments`) and checks that /echo got both, the file's size and SHA-256 intact; returns curl's trace.
    @discardableResult
    private func postForm(
        note: String, file: (path: String, sha256: String), size: Int, arguments: [String] = [], port: Int
    ) throws -> String {
        let (form, trace) = try post(arguments + ["-F", "note=\(note)", "-F", "file=@\(file.path)"], port: port)
        let files = try XCTUnwrap(form["files"] as? [[String: Any]])
        XCTAssertEqual(files.first?["name"] as? String, URL(fileURLWithPath: file.path).lastPathComponent)
        XCTAssertEqual(files.first?["size"] as? Int, size)
        XCTAssertEqual(files.first?["sha256"] as? String, file.sha256)
        XCTAssertEqual((form["form"] as? [String: [String]])?["note"], [note])
        return trace
    }

    func testFiftyMegabyteUploadsStreamToDiskWithBoundedWorkerMemory() throws {
        let size = 50 * 1024 * 1024
        let (path, sha256) = try randomFile("upload.bin", size: size)
        // A multipart file streams the same way; smaller, as /echo's SHA-256 is slow in debug builds.
        let formSize = 12 * 1024 * 1024
        let (formPath, formSha256) = try randomFile("form.bin", size: formSize)
        let server = try HttpExampleServer()
        self.server = server

        let (raw, rawTrace) = try post(
            ["-H", "Content-Type: application/octet-stream", "--data-binary", "@\(path)"], port: server.port)
        XCTAssertEqual(raw["bodySize"] as? Int, size)
        XCTAssertEqual(raw["bodySha256"] as? String, sha256)
        XCTAssertEqual(raw["bodyInFile"] as? Bool, true)
        XCTAssertTrue(rawTrace.contains("< HTTP/1.1 100 Continue"), "curl sent Expect: 100-continue:\n\(rawTrace)")

        try postForm(note: "hi", file: (formPath, formSha256), size: formSize, port: server.port)

        let peak = try XCTUnwrap(server.workerPeakKilobytes)
        XCTAssertLessThan(peak, 64 * 1024, "the worker's peak resident memory (KiB) after the uploads")
    }

    func testAFiftyMegabyteChunkedMultipartUploadStreamsToDiskWithBoundedWorkerMemory() throws {
        let size = 50 * 1024 * 1024
        let (path, sha256) = try randomFile("chunked.bin", size: size)
        let small = try randomFile("small.bin", size: 64 * 1024)
        let server = try HttpExampleServer()
        self.server = server
        let chunked = ["-H", "Transfer-Encoding: chunked", "-H", "Expect: 100-continue"]
        // The banner comes from the master, while the worker may still be loading (its VmHWM climbs
        // from ~2 to ~24 MiB then) and the first /echo loads more: measure from a served upload.
        try postForm(note: "warm-up", file: small, size: 64 * 1024, arguments: chunked, port: server.port)
        let before = try XCTUnwrap(server.workerPeakKilobytes)

        let trace = try postForm(
            note: "chunked", file: (path, sha256), size: size, arguments: chunked, port: server.port)
        XCTAssertTrue(trace.contains("> Transfer-Encoding: chunked"), trace)
        XCTAssertTrue(trace.contains("< HTTP/1.1 100 Continue"), "the server answered Expect: 100-continue:\n\(trace)")

        let peak = try XCTUnwrap(server.workerPeakKilobytes)
        print("chunked 50 MB upload: worker VmHWM \(before) KiB before, \(peak) KiB after")
        XCTAssertLessThan(peak - before, 16 * 1024, "the growth of the worker's peak resident memory (KiB)")
    }

    func testABodyOverMaxBodySizeIsRefusedWith413BeforeItIsSent() throws {
        let server = try HttpExampleServer(environment: ["HTTP_MAX_BODY": "\(4 * 1024 * 1024)"])
        self.server = server
        let client = try BlockingClient(port: server.port)
        try client.send("POST /echo HTTP/1.1\r\nHost: h\r\nContent-Length: \(5 * 1024 * 1024)\r\n\r\n")
        let reply = try client.receive(untilSuffix: "413 Content Too Large")
        XCTAssertTrue(reply.hasPrefix("HTTP/1.1 413 "), reply)
        let fits = try BlockingClient(port: server.port)
        try fits.send("POST /echo HTTP/1.1\r\nHost: h\r\nContent-Length: \(2 * 1024 * 1024)\r\n\r\n")
        try fits.send([UInt8](repeating: 0x61, count: 2 * 1024 * 1024))
        XCTAssertTrue(try fits.receive(untilSuffix: "}").contains("\"bodySize\":2097152"))
    }
}
