// http-hello: the plaintext benchmark server. GET / answers "Hello, World!" as text/plain, like the
// SwiftNIO comparator; HTTP_PORT and HTTP_PROCESSES set the port and the process count.
import Glibc
import Workerman

func environment(_ name: String) -> String? { getenv(name).map { String(cString: $0) } }

let hello = Worker("http://0.0.0.0:\(environment("HTTP_PORT") ?? "8080")")
hello.name = "HttpHello"
hello.count = Int(environment("HTTP_PROCESSES") ?? "1") ?? 1
if let certificate = environment("TLS_CERT"), let key = environment("TLS_KEY") {
    hello.tls = TLSServerContext(certificateChain: certificate, privateKey: key)
}
hello.onRequest = { connection, _ in
    connection.send(Response(200, headers: ["Content-Type": "text/plain"], body: "Hello, World!"))
}
Worker.runAll()
