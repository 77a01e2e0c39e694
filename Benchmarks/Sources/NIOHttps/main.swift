// nio-https: the SwiftNIO reference server for the "https" benchmark suite: nio-http's handler
// (Sources/NIOHttp) behind swift-nio-ssl's NIOSSLServerHandler (BoringSSL). Answers every request
// with `200 OK`, `Content-Type: text/plain`, body "Hello, World!", keeping the connection alive
// (unless the client asks otherwise); pipelined requests go through configureHTTPServerPipeline.
//
//   CERT=chain.pem KEY=key.pem PORT=8443 THREADS=1 nio-https
//     CERT, KEY: PEM certificate chain (server certificate first) and private key; required.
//     THREADS: event-loop threads, default 1 (like one worker).
import Foundation
import NIOHelloHandler
import NIOSSL

let environment = ProcessInfo.processInfo.environment
guard let certPath = environment["CERT"], let keyPath = environment["KEY"] else {
    FileHandle.standardError.write(Data("nio-https: set CERT and KEY to a PEM certificate chain and key\n".utf8))
    exit(2)
}
let port = Int(environment["PORT"] ?? "") ?? 8443
let threads = max(1, Int(environment["THREADS"] ?? "") ?? 1)

let certificates = try NIOSSLCertificate.fromPEMFile(certPath)
let configuration = TLSConfiguration.makeServerConfiguration(
    certificateChain: certificates.map { .certificate($0) },
    privateKey: .privateKey(try NIOSSLPrivateKey(file: keyPath, format: .pem))
)
let sslContext = try NIOSSLContext(configuration: configuration)

try serveHello(port: port, threads: threads, label: " (TLS)") { pipeline in
    try pipeline.addHandler(NIOSSLServerHandler(context: sslContext))
}
