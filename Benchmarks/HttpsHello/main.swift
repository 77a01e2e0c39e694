// https-hello: http-hello over TLS for `Benchmarks/run.sh https`. TLS_CERT and TLS_KEY name the PEM
// certificate chain and key; HTTP_PORT and HTTP_PROCESSES as for http-hello.
import Glibc
import Workerman
import WorkermanTLS

func environment(_ name: String) -> String? { getenv(name).map { String(cString: $0) } }

guard let certificate = environment("TLS_CERT"), let key = environment("TLS_KEY") else {
    StandardStream.error("https-hello: set TLS_CERT and TLS_KEY\n")
    exit(2)
}
let hello = Worker("http://0.0.0.0:\(environment("HTTP_PORT") ?? "8443")")
hello.name = "HttpsHello"
hello.count = Int(environment("HTTP_PROCESSES") ?? "1") ?? 1
hello.tls = TLSServerContext(certificateChain: certificate, privateKey: key)
hello.onRequest = { connection, _ in
    connection.send(Response(200, headers: ["Content-Type": "text/plain"], body: "Hello, World!"))
}
Worker.runAll()
