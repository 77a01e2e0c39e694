import Foundation
import WorkermanTestSupport
import XCTest

/// http-server serves https on its port when TLS_CERT and TLS_KEY name a certificate chain and a
/// key: a self-signed certificate made with the openssl CLI, trusted by curl (--cacert) and Python's ssl.
final class HttpsExampleTests: HttpExampleTestCase {
    func testCurlAndPythonTalkHttpsToTheExample() throws {
        let certificate = directory.appendingPathComponent("cert.pem").path
        let key = directory.appendingPathComponent("key.pem").path
        let (made, log) = try HttpExampleServer.run(
            "openssl",
            [
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", certificate, "-days", "1",
                "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
            ])
        XCTAssertEqual(made, 0, log)
        let server = try HttpExampleServer(environment: ["TLS_CERT": certificate, "TLS_KEY": key])
        self.server = server
        let port = server.port

        let (status, hello) = try HttpExampleServer.run(
            "curl", ["-sS", "--cacert", certificate, "https://127.0.0.1:\(port)/"])
        XCTAssertEqual(status, 0, hello)
        XCTAssertEqual(hello, "Hello, World!")
        let (_, refused) = try HttpExampleServer.run("curl", ["-sS", "https://127.0.0.1:\(port)/"])
        XCTAssertTrue(refused.contains("certificate"), "an untrusted certificate is refused: \(refused)")

        let script = """
            import ssl, http.client, json
            ctx = ssl.create_default_context(cafile="\(certificate)")
            c = http.client.HTTPSConnection("localhost", \(port), context=ctx, timeout=5)
            for n in (1, 2):
                c.request("POST", "/echo?n=%d" % n, body=b"x" * 1000, headers={"Content-Type": "text/plain"})
                r = c.getresponse()
                j = json.loads(r.read())
                print(r.status, r.getheader("Connection"), j["query"]["n"], j["bodySize"], c.sock.version())
            """
        let (python, output) = try HttpExampleServer.run("python3", ["-c", script])
        XCTAssertEqual(python, 0, output)
        XCTAssertTrue(
            output.hasPrefix("200 keep-alive ['1'] 1000 TLSv1.3\n200 keep-alive ['2'] 1000 TLSv1.3"), output)
    }
}
