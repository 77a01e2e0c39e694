import WorkermanCore
import WorkermanRedis

/// GlobalData on Redis: each operation as Redis commands, atomic, with the same rules as
/// `GlobalDataStore` (see `GlobalDataClient.increment`).
///
/// Values are stored as canonical JSON text (`Value.json`), so PHP's `json_decode` and Python's
/// `json.loads` read them, and an integer's JSON is Redis's own integer form: `INCRBY`, `redis-cli
/// INCR` and `increment` work on the same key. A value written by another program that is not
/// JSON reads back as a `.string` (or `.bytes` when it is not UTF-8), and top-level `.bytes`
/// that are not UTF-8 are stored as they are.
///
/// | operation      | Redis                                                                  |
/// |----------------|------------------------------------------------------------------------|
/// | get / set      | `GET` / `SET`                                                          |
/// | isset / unset  | `EXISTS` / `DEL`                                                       |
/// | add, cas(nil)  | `SET key value NX`                                                     |
/// | cas(old, new)  | a Lua script comparing the stored bytes with `old`'s (EVALSHA)         |
/// | increment      | `INCRBY` (exact, overflow refused by Redis); on a non-integer value    |
/// |                | `INCRBYFLOAT` (a double, or not a number: refused)                     |
enum RedisGlobalData {
    /// One command and what to make of its reply.
    struct Step {
        let command: RedisCommand
        let next: (Result<RedisReply, RedisError>) -> Outcome
    }

    /// The operation's result (as `GlobalDataStore.apply` gives it), or one more command.
    enum Outcome {
        case done(Result<Value?, GlobalDataError>)
        case then(Step)
    }

    static let casScript = RedisScript(
        "if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('SET', KEYS[1], ARGV[2]) return 1 end return 0")

    /// The bytes stored for `value`.
    static func encode(_ value: Value) -> [UInt8] {
        if case .bytes(let bytes) = value, String(validating: bytes, as: UTF8.self) == nil { return bytes }
        var buffer = ByteBuffer(capacity: 32)
        value.writeJSON(into: &buffer)
        return buffer.readableBytesArray
    }

    /// The value in stored bytes.
    static func decode(_ bytes: [UInt8]) -> Value {
        if let value = try? Value(json: bytes) { return value }
        return String(validating: bytes, as: UTF8.self).map { .string($0) } ?? .bytes(bytes)
    }

    /// The first step of `request`.
    static func step(for request: GlobalDataRequest) -> Step {
        switch request {
        case .get(let key):
            return Step(command: RedisCommand("GET", key)) { result in
                value(result) { reply in reply.isNull ? .some(nil) : reply.bytes.map { .some(decode($0)) } }
            }
        case .set(let key, let new):
            return Step(command: RedisCommand("SET", key, encode(new))) { result in value(result) { _ in .some(nil) } }
        case .isset(let key):
            return Step(command: RedisCommand("EXISTS", key)) { result in flag(result) }
        case .unset(let key):
            return Step(command: RedisCommand("DEL", key)) { result in flag(result) }
        case .add(let key, let new), .cas(let key, expected: nil, let new):
            return Step(command: RedisCommand("SET", key, encode(new), "NX")) { result in
                value(result) { reply in .some(.bool(!reply.isNull)) }
            }
        case .cas(let key, expected: let old?, let new):
            let tail: [any RedisArgument] = [1, key, encode(old), encode(new)]
            return Step(command: RedisCommand("EVALSHA", arguments: [casScript.sha1] + tail)) { result in
                if case .failure(let error) = result, error.code == "NOSCRIPT" {
                    return .then(
                        Step(command: RedisCommand("EVAL", arguments: [casScript.source] + tail)) { flag($0) })
                }
                return flag(result)
            }
        case .increment(let key, let step):
            guard case .int(let integer) = step else { return incrementByFloat(key, step) }
            return Step(command: RedisCommand("INCRBY", key, integer)) { result in
                guard case .failure(let error) = result, error.kind == .server else {
                    return value(result) { reply in reply.integer.map { .some(.int($0)) } }
                }
                if error.message.contains("overflow") {
                    return .done(
                        .failure(GlobalDataError(.overflow, "increment \(key) by \(integer): \(error.message)")))
                }
                return .then(incrementByFloat(key, step))
            }
        }
    }

    private static func incrementByFloat(_ key: String, _ step: Value) -> Step {
        Step(command: RedisCommand("INCRBYFLOAT", key, step.double ?? 0)) { result in
            if case .failure(let error) = result, error.kind == .server {
                return .done(.failure(GlobalDataError(.notANumber, "increment \(key): \(error.message)")))
            }
            return value(result) { reply in reply.bytes.map { .some(decode($0)) } }
        }
    }

    /// The result of a reply through `convert` (nil from it: an unexpected reply).
    private static func value(_ result: Result<RedisReply, RedisError>, _ convert: (RedisReply) -> Value??) -> Outcome {
        switch result {
        case .success(let reply):
            guard let converted = convert(reply) else {
                return .done(.failure(GlobalDataError(.protocolError, "unexpected Redis reply \(reply)")))
            }
            return .done(.success(converted))
        case .failure(let error):
            return .done(.failure(failure(error)))
        }
    }

    private static func flag(_ result: Result<RedisReply, RedisError>) -> Outcome {
        value(result) { reply in reply.integer.map { .some(.bool($0 > 0)) } }
    }

    /// A Redis failure as a GlobalData one.
    static func failure(_ error: RedisError) -> GlobalDataError {
        switch error.kind {
        case .timeout: return GlobalDataError(.timeout, error.description)
        case .server, .protocolError, .unexpectedReply: return GlobalDataError(.protocolError, error.description)
        default: return GlobalDataError(.connection, error.description)
        }
    }

    /// Runs `step` and the steps it leads to on `client`.
    static func run(
        _ step: Step, on client: any RedisCommands,
        _ completion: @escaping (Result<Value?, GlobalDataError>) -> Void
    ) {
        client.send(step.command, timeout: nil) { result in
            switch step.next(result) {
            case .done(let outcome): completion(outcome)
            case .then(let next): run(next, on: client, completion)
            }
        }
    }

    /// Runs `step` and the steps it leads to on the blocking `client`.
    static func run(_ step: Step, on client: BlockingRedisClient) -> Result<Value?, GlobalDataError> {
        var step = step
        while true {
            let result = Result { () throws(RedisError) in try client.send(step.command) }
            switch step.next(result) {
            case .done(let outcome): return outcome
            case .then(let next): step = next
            }
        }
    }

    /// One client per Redis URL, made by `make` with `timeout` as the command timeout; nil when
    /// `addresses` are not all Redis URLs (they name GlobalData servers).
    static func clients<Client>(
        _ addresses: [String], timeout: Double, _ make: (String, RedisOptions) throws(RedisError) -> Client
    ) throws(GlobalDataError) -> [Client]? {
        guard addresses.allSatisfy(isRedisURL) else { return nil }
        var options = RedisOptions()
        options.commandTimeout = timeout
        var clients: [Client] = []
        for address in addresses {
            do {
                clients.append(try make(address, options))
            } catch {
                throw GlobalDataError(.connection, error.description)
            }
        }
        return clients
    }

    /// True for an address the Redis backend takes (`redis://`, `rediss://`, `redis+unix://`).
    static func isRedisURL(_ address: String) -> Bool {
        address.hasPrefix("redis://") || address.hasPrefix("rediss://") || address.hasPrefix("redis+unix://")
    }
}
