// libFuzzer target for the HTTP request parser: every input is fed to `Http`'s input/decode whole
// and in two pieces, with a small upload memory limit so that streamed bodies and multipart are
// reached too. Built and run by .ci/checks/fuzz.sh.
import WorkermanProtocols
import WorkermanCore

/// libFuzzer's entry point: parses `data` as requests on an unconnected connection.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHttpParser(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    Http.uploadMemoryLimit = 64
    Http.maxBodySize = 1 << 16
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    for chunks in [[bytes], [Array(bytes.prefix(size / 2)), Array(bytes.dropFirst(size / 2))]] {
        let outcome = WireProtocolVerifier.feed(Http.self, chunks: chunks, maxPackageSize: 4096)
        for message in outcome.messages {
            guard let request = message.value(as: Request.self) else { continue }
            _ = (request.path, request.query.count, request.form.count, request.files.count, request.cookies.count)
            _ = (request.hostName, request.isJSON, request.bodyFile)
        }
    }
    return 0
}
