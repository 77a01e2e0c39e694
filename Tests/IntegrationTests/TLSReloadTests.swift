import Foundation
import Glibc
import WorkermanTestSupport
import XCTest

/// Renewed certificates taken over by `reload`, without dropping open TLS connections.
final class TLSReloadTests: XCTestCase {
    private var directory = ""
    private var server: ServerProcess?

    override func setUpWithError() throws {
        directory = NSTemporaryDirectory() + "workerman-tlsreload-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    override func tearDown() {
        server?.stopGracefully()
        try? FileManager.default.removeItem(atPath: directory)
        super.tearDown()
    }

    private func makeCertificate(commonName: String) throws {
        let result = try ServerProcess.run(
            "/usr/bin/openssl",
            [
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=\(commonName)",
                "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", directory + "/key.pem.new", "-out",
                directory + "/cert.pem.new",
            ])
        XCTAssertEqual(result.status, 0, result.output)
        rename(directory + "/key.pem.new", directory + "/key.pem")
        rename(directory + "/cert.pem.new", directory + "/cert.pem")
    }

    func testReloadServesTheRenewedCertificateAndKeepsOpenConnections() throws {
        try makeCertificate(commonName: "first")
        let server = try ServerProcess(
            "probe-server",
            environment: [
                "WORKERMAN_RUNTIME_DIR": directory, "PORT": "0", "COUNT": "2",
                "TLS_CERT": directory + "/cert.pem", "TLS_KEY": directory + "/key.pem",
            ])
        self.server = server
        guard let port = server.port(of: "text") else { return XCTFail(server.log) }
        XCTAssertTrue(server.waitFor("started id=1"), server.log)
        // A client that keeps one connection open across the reload and reads the peer's name
        // on every new connection.
        let script = """
            import socket, ssl, sys, time
            port = int(sys.argv[1])
            def name(tls):
                return dict(x[0] for x in tls.getpeercert()["subject"])["commonName"]
            def connect():
                context = ssl.create_default_context(cafile=sys.argv[2] + "/cert.pem")
                context.check_hostname = False
                return context.wrap_socket(socket.create_connection(("127.0.0.1", port)))
            held = connect()
            print("before", name(held), flush=True)
            while not __import__("os").path.exists(sys.argv[2] + "/reloaded"):
                time.sleep(0.05)
            held.sendall(b"ping\\n")
            print("held", held.recv(100).decode().strip(), flush=True)
            fresh = connect()
            print("after", name(fresh), flush=True)
            """
        let client = try ServerProcess("/usr/bin/env", arguments: ["python3", "-c", script, "\(port)", directory])
        defer { client.stop() }
        XCTAssertTrue(client.waitFor("before first"), client.log)
        try makeCertificate(commonName: "second")
        let reload = try ServerProcess.run(
            "probe-server", ["reload", "-g"], environment: ["WORKERMAN_RUNTIME_DIR": directory])
        XCTAssertEqual(reload.status, 0, reload.output)
        XCTAssertTrue(server.waitFor("reload finished", timeout: 10), server.log)
        _ = FileManager.default.createFile(atPath: directory + "/reloaded", contents: Data())
        XCTAssertTrue(client.waitFor("after", timeout: 10), client.log)
        XCTAssertTrue(client.log.contains("held ping"), "the open connection survived:\n\(client.log)")
        XCTAssertTrue(
            client.log.contains("after second"), "new connections get the renewed certificate:\n\(client.log)")
    }
}
