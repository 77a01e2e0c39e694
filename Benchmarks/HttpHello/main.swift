// http-hello: the plaintext benchmark server. GET / answers "Hello, World!" as text/plain, like the
// SwiftNIO comparator; HTTP_PORT and HTTP_PROCESSES set the port and the process count. It links no
// TLS (Benchmarks/HttpsHello is the https one), as `Benchmarks/run.sh memory` measures its workers.
import Glibc
import Workerman

func environment(_ name: String) -> String? { getenv(name).map { String(cString: $0) } }

let hello = Worker("http://0.0.0.0:\(environment("HTTP_PORT") ?? "8080")")
hello.name = "HttpHello"
hello.count = Int(environment("HTTP_PROCESSES") ?? "1") ?? 1
hello.onRequest = { connection, _ in
    connection.send(Response(200, headers: ["Content-Type": "text/plain"], body: "Hello, World!"))
}
Worker.runAll()
