import WorkermanCore

/// The Channel protocol: what travels between `ChannelClient` and `ChannelServer`.
///
/// Transport: Workerman's `frame` protocol (a 4-byte big-endian length counting itself, then the
/// payload). Each payload is one MessagePack array whose first element is an operation number
/// (see `MessagePackWriter` for why MessagePack). Channel and queue names are strings; `data` is
/// any `Value`.
///
/// Client to server:
///
/// | array                            | meaning                                                     |
/// |----------------------------------|-------------------------------------------------------------|
/// | `[1, [names]]`                   | subscribe to events                                         |
/// | `[2, [names]]`                   | unsubscribe                                                 |
/// | `[3, [names], data]`             | publish: every subscriber of each name gets the event       |
/// | `[4, [names], data]`             | publish to one subscriber per name, round-robin             |
/// | `[5, [names]]`                   | watch queues                                                |
/// | `[6, [names]]`                   | unwatch queues                                              |
/// | `[7, [names], data]`             | enqueue `data` on each queue                                |
/// | `[8]`                            | reserve: ready for one more message on every watched queue  |
///
/// Server to client: `[1, name, data]` (an event) and `[2, name, data]` (a queue message).
/// An empty frame (`00 00 00 04`) is a ping, ignored both ways. The server forwards `data` as the
/// bytes it received, without decoding it. A malformed request closes the connection.
enum ChannelOperation: Int64 {
    case subscribe = 1
    case unsubscribe = 2
    case publish = 3
    case publishLoop = 4
    case watch = 5
    case unwatch = 6
    case enqueue = 7
    case reserve = 8

    /// Whether the request carries data after the names.
    var carriesData: Bool { self == .publish || self == .publishLoop || self == .enqueue }
}

/// The kinds of server-to-client message.
enum ChannelDelivery: Int64 {
    case event = 1
    case queue = 2
}

/// Builds and parses Channel payloads (without the frame header, which the Frame protocol adds).
enum ChannelWire {
    /// A client request.
    static func request(_ operation: ChannelOperation, names: [String] = [], data: Value? = nil) -> ByteBuffer {
        var buffer = ByteBuffer(capacity: 64)
        let hasNames = operation != .reserve
        MessagePackWriter.writeArrayHeader(count: 1 + (hasNames ? 1 : 0) + (data == nil ? 0 : 1), into: &buffer)
        MessagePackWriter.writeInteger(operation.rawValue, into: &buffer)
        if hasNames {
            MessagePackWriter.writeArrayHeader(count: names.count, into: &buffer)
            for name in names { MessagePackWriter.writeString(name, into: &buffer) }
        }
        if let data { MessagePackWriter.write(data, into: &buffer) }
        return buffer
    }

    /// A server delivery of `data`, given as its already encoded MessagePack bytes.
    static func delivery(_ kind: ChannelDelivery, name: String, encodedData: UnsafeRawBufferPointer) -> ByteBuffer {
        var buffer = ByteBuffer(capacity: encodedData.count + name.utf8.count + 8)
        MessagePackWriter.writeArrayHeader(count: 3, into: &buffer)
        MessagePackWriter.writeInteger(kind.rawValue, into: &buffer)
        MessagePackWriter.writeString(name, into: &buffer)
        buffer.writeBytes(encodedData)
        return buffer
    }
}
