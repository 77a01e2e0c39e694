import WorkermanCore
// libFuzzer target for the HTTP request parser: every input is fed to `Http`'s input/decode whole
// and in two pieces, with a small upload memory limit so that streamed bodies and multipart are
// reached too. Built and run by .ci/checks/fuzz.sh.
import WorkermanProtocols

/// The Worker whose settings the requests are parsed with.
nonisolated(unsafe) let worker: Worker = {
    let worker = Worker()
    worker.http.uploadMemoryLimit = 64
    worker.http.maxBodySize = 1 << 16
    return worker
}()

/// libFuzzer's entry point: parses `data` as requests on an unconnected connection.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHttpParser(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    for chunks in [[bytes], [Array(bytes.prefix(size / 2)), Array(bytes.dropFirst(size / 2))]] {
        let outcome = WireProtocolVerifier.feed(Http.self, chunks: chunks, maxPackageSize: 4096, worker: worker)
        for message in outcome.messages {
            guard let request = message.value(as: Request.self) else { continue }
            _ = (request.path, request.query.count, request.form.count, request.files.count, request.cookies.count)
            _ = (request.hostName, request.isJSON, request.bodyFile)
        }
    }
    return 0
}
