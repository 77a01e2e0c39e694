/// One line of the Register's protocol (JSON objects over `text`), as GatewayWorker 4 writes them:
///
/// ```
/// {"event":"gateway_connect","address":"10.0.0.2:2900","secret_key":""}   gateway -> register
/// {"event":"worker_connect","secret_key":""}                              worker or client -> register
/// {"event":"ping"}                                                        either -> register
/// {"event":"broadcast_addresses","addresses":["10.0.0.2:2900"]}           register -> worker
/// ```
public enum RegisterMessage: Equatable, Sendable {
    /// A gateway process announces its internal address.
    case gatewayConnect(address: String, secretKey: String)
    /// A business worker (or a Gateway API client) asks for the gateway addresses.
    case workerConnect(secretKey: String)
    /// Keeps a connection alive.
    case ping
    /// The register's current list of gateway addresses.
    case broadcastAddresses([String])

    /// The JSON line (without the newline).
    public var encoded: String {
        switch self {
        case .gatewayConnect(let address, let secretKey):
            return PHPJSON.encode([
                "event": "gateway_connect", "address": .string(address), "secret_key": .string(secretKey),
            ])
        case .workerConnect(let secretKey):
            return PHPJSON.encode(["event": "worker_connect", "secret_key": .string(secretKey)])
        case .ping:
            return PHPJSON.encode(["event": "ping"])
        case .broadcastAddresses(let addresses):
            return PHPJSON.encode([
                "event": "broadcast_addresses", "addresses": .array(PHPArray(list: addresses.map { .string($0) })),
            ])
        }
    }

    /// Reads one line; throws with the reason for anything that is not one of the four.
    public init(decoding line: String) throws(PHPSerializationError) {
        guard case .array(let object) = try PHPJSON.decode(line), let event = object["event"]?.string else {
            throw PHPSerializationError("a Register line must be a JSON object with an \"event\"")
        }
        let secretKey = object["secret_key"]?.stringValue ?? ""
        switch event {
        case "gateway_connect":
            guard let address = object["address"]?.string, !address.isEmpty else {
                throw PHPSerializationError("gateway_connect without an address")
            }
            self = .gatewayConnect(address: address, secretKey: secretKey)
        case "worker_connect": self = .workerConnect(secretKey: secretKey)
        case "ping": self = .ping
        case "broadcast_addresses":
            // PHP's array_unique can leave gaps in the keys, which json_encode writes as an object.
            guard case .array(let list)? = object["addresses"] else {
                throw PHPSerializationError("broadcast_addresses without an address list")
            }
            self = .broadcastAddresses(list.orderedValues.compactMap(\.string))
        default: throw PHPSerializationError("unknown Register event \"\(event)\"")
        }
    }
}
