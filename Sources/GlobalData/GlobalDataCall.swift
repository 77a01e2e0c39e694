import WorkermanCore

/// A request and how to read its reply as the client method's result: shared by the blocking and
/// the non-blocking client so both give the same answers.
struct GlobalDataCall<Output> {
    let request: GlobalDataRequest
    /// The result from the reply's value, or nil when the reply does not fit the request.
    let output: (Value?) -> Output?

    static func value(_ request: GlobalDataRequest) -> GlobalDataCall<Value?> { .init(request: request) { $0 } }

    static func number(_ request: GlobalDataRequest) -> GlobalDataCall<Value> { .init(request: request) { $0 } }

    static func flag(_ request: GlobalDataRequest) -> GlobalDataCall<Bool> { .init(request: request) { $0?.bool } }

    static func none(_ request: GlobalDataRequest) -> GlobalDataCall<Void> { .init(request: request) { _ in () } }

    /// The request payload.
    var payload: ByteBuffer {
        var buffer = ByteBuffer(capacity: 64)
        request.write(into: &buffer)
        return buffer
    }

    /// The result in a reply payload (`[0]`, `[0, result]`, or `[code, "reason"]`: see
    /// `GlobalDataRequest`).
    func result(from payload: [UInt8]) -> Result<Output, GlobalDataError> {
        guard let reply = try? Value(messagePack: payload), let fields = reply.array, let code = fields.first?.int
        else { return .failure(GlobalDataError(.protocolError, "unreadable reply to \(request)")) }
        guard code == 0 else {
            let kind = GlobalDataError.Kind(replyCode: code)
            return .failure(GlobalDataError(kind, "server refused \(request): \(reply[1].string ?? "")"))
        }
        guard fields.count <= 2 else {
            return .failure(GlobalDataError(.protocolError, "unexpected reply \(reply) to \(request)"))
        }
        return result(fromValue: fields.count == 2 ? fields[1] : nil)
    }

    /// The result from the operation's value (what `GlobalDataStore.apply` returns).
    func result(fromValue value: Value?) -> Result<Output, GlobalDataError> {
        guard let output = output(value) else {
            return .failure(GlobalDataError(.protocolError, "unexpected result \(value ?? .null) to \(request)"))
        }
        return .success(output)
    }
}

/// Picks the server of a cluster that holds a key: CRC-32 (IEEE) of the key's UTF-8, modulo the
/// number of servers. Stable across processes, runs and machines (Swift's `hashValue` is not), and
/// the same rule as Workerman's client (`crc32($key) % count($servers)`).
enum KeySharding {
    private static let table: [UInt32] = (0..<256).map { index in
        var crc = UInt32(index)
        for _ in 0..<8 { crc = crc & 1 == 1 ? 0xEDB8_8320 ^ (crc >> 1) : crc >> 1 }
        return crc
    }

    /// The CRC-32 of `text`'s UTF-8.
    static func crc32(_ text: String) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in text.utf8 { crc = table[Int((crc ^ UInt32(byte)) & 0xff)] ^ (crc >> 8) }
        return ~crc
    }

    /// The index among `count` servers of the one holding `key`.
    static func server(for key: String, count: Int) -> Int { count <= 1 ? 0 : Int(crc32(key) % UInt32(count)) }

    /// "host:port" or "[v6]:port" split in two; nil when there is no port.
    static func split(_ address: String) -> (host: String, port: UInt16)? {
        guard let colon = address.lastIndex(of: ":"), let port = UInt16(address[address.index(after: colon)...]) else {
            return nil
        }
        var host = String(address[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return (host.isEmpty ? "127.0.0.1" : host, port)
    }
}
