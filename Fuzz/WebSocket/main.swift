import WorkermanCore
// libFuzzer target for the WebSocket handshake parsers and frame decoder: every input is fed to the
// server as an upgrade request, to the server as frames after a valid handshake (whole and in two
// pieces), and to the client as a handshake response. Built and run by .ci/checks/fuzz.sh.
import WorkermanProtocols

let handshake = Array(
    ("GET /chat HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n").utf8)

/// libFuzzer's entry point.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzWebSocket(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    _ = WireProtocolVerifier.feed(WebSocket.self, chunks: [bytes], maxPackageSize: 1 << 16)
    _ = WireProtocolVerifier.feed(WebSocket.self, chunks: [handshake, bytes], maxPackageSize: 1 << 16)
    let half = size / 2
    _ = WireProtocolVerifier.feed(
        WebSocket.self, chunks: [handshake, Array(bytes.prefix(half)), Array(bytes.dropFirst(half))],
        maxPackageSize: 1 << 16)
    _ = WireProtocolVerifier.feed(Ws.self, chunks: [bytes], maxPackageSize: 1 << 16)
    return 0
}
