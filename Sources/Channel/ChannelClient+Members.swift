/// The same calls with a dictionary of variables as the data (`["from": name, "count": count]`),
/// as a PHP array is passed: see `ValueConvertible`.
extension ChannelClient {
    /// `publish(event, Value(members))`.
    @discardableResult
    public static func publish(_ event: String, _ members: [String: any ValueConvertible]) -> Bool {
        publish(event, Value(members))
    }

    /// `publish(events, Value(members))`.
    @discardableResult
    public static func publish(_ events: [String], _ members: [String: any ValueConvertible]) -> Bool {
        publish(events, Value(members))
    }

    /// `publishLoop(event, Value(members))`.
    @discardableResult
    public static func publishLoop(_ event: String, _ members: [String: any ValueConvertible]) -> Bool {
        publishLoop(event, Value(members))
    }

    /// `publishLoop(events, Value(members))`.
    @discardableResult
    public static func publishLoop(_ events: [String], _ members: [String: any ValueConvertible]) -> Bool {
        publishLoop(events, Value(members))
    }

    /// `enqueue(queue, Value(members))`.
    @discardableResult
    public static func enqueue(_ queue: String, _ members: [String: any ValueConvertible]) -> Bool {
        enqueue(queue, Value(members))
    }
}

extension BlockingChannelPublisher {
    /// `publish(event, Value(members))`.
    public func publish(_ event: String, _ members: [String: any ValueConvertible]) throws(ChannelError) {
        try publish(event, Value(members))
    }

    /// `publish(events, Value(members))`.
    public func publish(_ events: [String], _ members: [String: any ValueConvertible]) throws(ChannelError) {
        try publish(events, Value(members))
    }

    /// `publishLoop(event, Value(members))`.
    public func publishLoop(_ event: String, _ members: [String: any ValueConvertible]) throws(ChannelError) {
        try publishLoop(event, Value(members))
    }

    /// `enqueue(queue, Value(members))`.
    public func enqueue(_ queue: String, _ members: [String: any ValueConvertible]) throws(ChannelError) {
        try enqueue(queue, Value(members))
    }
}
