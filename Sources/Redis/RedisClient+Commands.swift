/// How `set` treats an existing key.
public enum RedisSetCondition: Sendable {
    /// Always store (plain `SET`).
    case always
    /// Only when the key is missing (`NX`).
    case ifMissing
    /// Only when the key exists (`XX`).
    case ifExists
}

/// What sends commands: a client of one server (`RedisClient`) or of a cluster (`RedisCluster`).
/// The generic command API, scripts and the typed helpers work on both.
public protocol RedisCommands: AnyObject {
    /// Sends a prepared command; `completion` runs once with its reply or failure. `timeout`
    /// overrides the client's command timeout.
    func send(_ command: RedisCommand, timeout: Double?, _ completion: @escaping RedisCompletion)
}

/// A client that stays connected by itself: `RedisClient` (one server) or `RedisCluster` (its
/// masters). What Channel over Redis needs besides sending commands.
public protocol RedisService: RedisCommands {
    /// True while connected (for a cluster: to at least one master).
    var isConnected: Bool { get }
    /// Called each time a connection is made.
    var onConnect: (() -> Void)? { get set }
    /// Called when a connection breaks or cannot be made.
    var onError: ((RedisError) -> Void)? { get set }
    /// Closes every connection; pending commands fail with `.closed`.
    func close()
}

extension RedisCommands {
    /// Sends any command (`command("SET", "k", "v")`, binary-safe) and completes with its reply.
    public func command(
        _ name: String, _ arguments: any RedisArgument..., timeout: Double? = nil,
        _ completion: @escaping RedisCompletion = { _ in }
    ) {
        send(RedisCommand(name, arguments: arguments), timeout: timeout, completion)
    }

    /// Runs a Lua script by its SHA-1 (`EVALSHA`); when Redis does not know it (`NOSCRIPT`, after a
    /// restart or a `SCRIPT FLUSH`), sends its source with `EVAL`, which also loads it.
    public func evaluate(
        _ script: RedisScript, keys: [any RedisArgument] = [], arguments: [any RedisArgument] = [],
        timeout: Double? = nil, _ completion: @escaping RedisCompletion
    ) {
        let tail: [any RedisArgument] = [keys.count] + keys + arguments
        send(RedisCommand("EVALSHA", arguments: [script.sha1] + tail), timeout: timeout) { [weak self] result in
            guard case .failure(let error) = result, error.code == "NOSCRIPT", let self else {
                completion(result)
                return
            }
            self.send(RedisCommand("EVAL", arguments: [script.source] + tail), timeout: timeout, completion)
        }
    }
}

/// Typed helpers for the common commands. Each sends one command and converts its reply; a reply
/// of another shape fails with `.unexpectedReply`. For anything else use `command(_:_:)`.
extension RedisCommands {
    /// `GET key`: the value as text, nil when missing.
    public func get(_ key: String, _ completion: @escaping (Result<String?, RedisError>) -> Void) {
        typed(RedisCommand("GET", key), Convert.optionalString, completion)
    }

    /// `GET key`: the value's bytes, nil when missing.
    public func getBytes(_ key: String, _ completion: @escaping (Result<[UInt8]?, RedisError>) -> Void) {
        typed(RedisCommand("GET", key), Convert.optionalBytes, completion)
    }

    /// `SET key value [EX|PX] [NX|XX]`: true when stored (false when the condition was not met).
    public func set(
        _ key: String, _ value: any RedisArgument, expire seconds: Double? = nil,
        condition: RedisSetCondition = .always,
        _ completion: @escaping (Result<Bool, RedisError>) -> Void = { _ in }
    ) {
        var arguments: [any RedisArgument] = [key, value]
        if let seconds { arguments += ["PX", Int((seconds * 1000).rounded(.up))] }
        if condition == .ifMissing { arguments.append("NX") }
        if condition == .ifExists { arguments.append("XX") }
        typed(RedisCommand("SET", arguments: arguments), Convert.stored, completion)
    }

    /// `DEL key...`: the number of keys deleted.
    public func del(_ keys: String..., completion: @escaping (Result<Int64, RedisError>) -> Void = { _ in }) {
        typed(RedisCommand("DEL", arguments: keys), Convert.integer, completion)
    }

    /// `EXISTS key...`: how many of the keys exist.
    public func exists(_ keys: String..., completion: @escaping (Result<Int64, RedisError>) -> Void) {
        typed(RedisCommand("EXISTS", arguments: keys), Convert.integer, completion)
    }

    /// `INCRBY key step`: the new value (a missing key counts as 0).
    public func incrby(
        _ key: String, _ step: Int64, _ completion: @escaping (Result<Int64, RedisError>) -> Void = { _ in }
    ) {
        typed(RedisCommand("INCRBY", key, step), Convert.integer, completion)
    }

    /// `INCR key`: the new value.
    public func incr(_ key: String, _ completion: @escaping (Result<Int64, RedisError>) -> Void = { _ in }) {
        incrby(key, 1, completion)
    }

    /// `DECRBY key step`: the new value.
    public func decrby(
        _ key: String, _ step: Int64, _ completion: @escaping (Result<Int64, RedisError>) -> Void = { _ in }
    ) {
        typed(RedisCommand("DECRBY", key, step), Convert.integer, completion)
    }

    /// `DECR key`: the new value.
    public func decr(_ key: String, _ completion: @escaping (Result<Int64, RedisError>) -> Void = { _ in }) {
        decrby(key, 1, completion)
    }

    /// `PEXPIRE key ms`: true when the key exists and now expires in `seconds`.
    public func expire(
        _ key: String, _ seconds: Double, _ completion: @escaping (Result<Bool, RedisError>) -> Void = { _ in }
    ) {
        typed(RedisCommand("PEXPIRE", key, Int((seconds * 1000).rounded(.up))), Convert.flag, completion)
    }

    /// `TTL key`: seconds left, -1 without expiry, -2 when missing.
    public func ttl(_ key: String, _ completion: @escaping (Result<Int64, RedisError>) -> Void) {
        typed(RedisCommand("TTL", key), Convert.integer, completion)
    }

    /// `MGET key...`: each value as text, nil where missing.
    public func mget(_ keys: [String], _ completion: @escaping (Result<[String?], RedisError>) -> Void) {
        typed(RedisCommand("MGET", arguments: keys), { $0.strings }, completion)
    }

    /// `HGET key field`: the field's value, nil when missing.
    public func hget(_ key: String, _ field: String, _ completion: @escaping (Result<String?, RedisError>) -> Void) {
        typed(RedisCommand("HGET", key, field), Convert.optionalString, completion)
    }

    /// `HSET key field value`: 1 when the field is new, 0 when it was updated.
    public func hset(
        _ key: String, _ field: String, _ value: any RedisArgument,
        _ completion: @escaping (Result<Int64, RedisError>) -> Void = { _ in }
    ) {
        typed(RedisCommand("HSET", key, field, value), Convert.integer, completion)
    }

    /// `HDEL key field...`: the number of fields removed.
    public func hdel(
        _ key: String, _ fields: String..., completion: @escaping (Result<Int64, RedisError>) -> Void = { _ in }
    ) {
        typed(RedisCommand("HDEL", arguments: [key] + fields), Convert.integer, completion)
    }

    /// `HGETALL key`: every field and value (empty when the key is missing).
    public func hgetall(_ key: String, _ completion: @escaping (Result<[String: String], RedisError>) -> Void) {
        typed(RedisCommand("HGETALL", key), Convert.dictionary, completion)
    }

    /// `HINCRBY key field step`: the field's new value.
    public func hincrby(
        _ key: String, _ field: String, _ step: Int64, _ completion: @escaping (Result<Int64, RedisError>) -> Void
    ) {
        typed(RedisCommand("HINCRBY", key, field, step), Convert.integer, completion)
    }

    /// `LPUSH key value...`: the list's new length.
    public func lpush(
        _ key: String, _ values: [any RedisArgument],
        _ completion: @escaping (Result<Int64, RedisError>) -> Void = { _ in }
    ) {
        typed(RedisCommand("LPUSH", arguments: [key] + values), Convert.integer, completion)
    }

    /// `RPUSH key value...`: the list's new length.
    public func rpush(
        _ key: String, _ values: [any RedisArgument],
        _ completion: @escaping (Result<Int64, RedisError>) -> Void = { _ in }
    ) {
        typed(RedisCommand("RPUSH", arguments: [key] + values), Convert.integer, completion)
    }

    /// `LPOP key`: the first element, nil when the list is empty.
    public func lpop(_ key: String, _ completion: @escaping (Result<String?, RedisError>) -> Void) {
        typed(RedisCommand("LPOP", key), Convert.optionalString, completion)
    }

    /// `RPOP key`: the last element, nil when the list is empty.
    public func rpop(_ key: String, _ completion: @escaping (Result<String?, RedisError>) -> Void) {
        typed(RedisCommand("RPOP", key), Convert.optionalString, completion)
    }

    /// `LRANGE key start stop`: the elements in the range.
    public func lrange(
        _ key: String, _ start: Int, _ stop: Int, _ completion: @escaping (Result<[String], RedisError>) -> Void
    ) {
        typed(RedisCommand("LRANGE", key, start, stop), Convert.stringList, completion)
    }

    /// `SADD key member...`: the number of members added.
    public func sadd(
        _ key: String, _ members: [any RedisArgument],
        _ completion: @escaping (Result<Int64, RedisError>) -> Void = { _ in }
    ) {
        typed(RedisCommand("SADD", arguments: [key] + members), Convert.integer, completion)
    }

    /// `SREM key member...`: the number of members removed.
    public func srem(
        _ key: String, _ members: [any RedisArgument],
        _ completion: @escaping (Result<Int64, RedisError>) -> Void = { _ in }
    ) {
        typed(RedisCommand("SREM", arguments: [key] + members), Convert.integer, completion)
    }

    /// `SMEMBERS key`: every member.
    public func smembers(_ key: String, _ completion: @escaping (Result<[String], RedisError>) -> Void) {
        typed(RedisCommand("SMEMBERS", key), Convert.stringList, completion)
    }

    /// `PUBLISH channel message`: the number of subscribers that got it.
    public func publish(
        _ channel: String, _ message: any RedisArgument,
        _ completion: @escaping (Result<Int64, RedisError>) -> Void = { _ in }
    ) {
        typed(RedisCommand("PUBLISH", channel, message), Convert.integer, completion)
    }

    /// `PING`: "PONG".
    public func ping(_ completion: @escaping (Result<String, RedisError>) -> Void) {
        typed(RedisCommand("PING"), { $0.string }, completion)
    }

    private func typed<Output>(
        _ command: RedisCommand, _ convert: @escaping (RedisReply) -> Output?,
        _ completion: @escaping (Result<Output, RedisError>) -> Void
    ) {
        let name = command.name
        send(command, timeout: nil) { result in
            completion(
                result.flatMap { reply in
                    guard let output = convert(reply) else {
                        return .failure(RedisError(.unexpectedReply, "\(name) answered \(reply)"))
                    }
                    return .success(output)
                })
        }
    }
}

/// Reply conversions shared by the asynchronous and the blocking client's typed helpers.
enum Convert {
    static func optionalString(_ reply: RedisReply) -> String?? { reply.isNull ? .some(nil) : reply.string.map { $0 } }
    static func optionalBytes(_ reply: RedisReply) -> [UInt8]?? { reply.isNull ? .some(nil) : reply.bytes.map { $0 } }
    static func integer(_ reply: RedisReply) -> Int64? {
        if case .integer(let number) = reply { return number }
        return nil
    }
    static func flag(_ reply: RedisReply) -> Bool? {
        switch reply {
        case .integer(let number): return number != 0
        case .boolean(let flag): return flag
        default: return nil
        }
    }
    static func stored(_ reply: RedisReply) -> Bool? {
        if reply.isNull { return false }
        return reply.string == "OK" ? true : nil
    }
    static func stringList(_ reply: RedisReply) -> [String]? {
        guard let elements = reply.elements else { return nil }
        let strings = elements.compactMap { $0.string }
        return strings.count == elements.count ? strings : nil
    }
    static func dictionary(_ reply: RedisReply) -> [String: String]? {
        guard let list = stringList(reply), list.count % 2 == 0 else { return nil }
        var result: [String: String] = [:]
        for index in stride(from: 0, to: list.count, by: 2) { result[list[index]] = list[index + 1] }
        return result
    }
}
