import WorkermanComponentWire
import WorkermanCore
import WorkermanTimer

/// The Gateway API for programs with no event loop (a script, a cron job, a test): PHP's
/// GatewayClient. Every call blocks for at most `timeout` seconds per gateway and throws
/// `GatewayError` when a register or gateway cannot be reached or answers nothing in time.
///
/// ```swift
/// let gateway = GatewayClient(registerAddress: ["127.0.0.1:1236"])   // Gateway::$registerAddress = ...
/// try gateway.sendToUid("alice", "{\"type\":\"push\"}")               // Gateway::sendToUid(...)
/// let online = try gateway.getAllClientIdCount()                      // Gateway::getAllClientIdCount()
/// ```
/// Inside an event loop use `AsyncGatewayClient` (or a business worker's `api`) instead: this one
/// blocks the loop. The gateway addresses are asked from the register and kept for one second, as
/// PHP's; connections to gateways are kept and opened again when they break.
public final class GatewayClient: GatewayAPI {
    /// The register(s) to ask for the gateway addresses; the first that answers is used.
    public var registerAddress: [String]
    /// The gateways' `secretKey`.
    public var secretKey: String
    /// Seconds to wait to connect, and for each answer.
    public var timeout: Double
    private var cachedAddresses: [String] = []
    private var cachedAt: UInt64 = 0
    private var sockets: [String: BlockingFrameSocket] = [:]

    /// A client of the gateways that `registerAddress` lists.
    public init(registerAddress: [String] = ["127.0.0.1:1236"], secretKey: String = "", timeout: Double = 5) {
        self.registerAddress = registerAddress
        self.secretKey = secretKey
        self.timeout = timeout
    }

    /// The gateway addresses the register announces (kept for one second).
    public func gatewayAddresses() throws(GatewayError) -> [String] {
        if !cachedAddresses.isEmpty && MonotonicClock.now() - cachedAt < 1_000_000_000 { return cachedAddresses }
        var failures: [String] = []
        for register in registerAddress {
            do {
                let (host, port) = try Self.split(register)
                let socket = try BlockingFrameSocket(host: host, port: port, timeout: timeout)
                try socket.send(
                    raw: ByteBuffer(string: RegisterMessage.workerConnect(secretKey: secretKey).encoded + "\n"))
                let line = try socket.receiveLine()
                guard case .broadcastAddresses(let addresses) = try RegisterMessage(decoding: line) else {
                    throw GatewayError("the register answered \(line)")
                }
                cachedAddresses = addresses
                cachedAt = MonotonicClock.now()
                return addresses
            } catch {
                failures.append("\(register): \(error)")
            }
        }
        throw GatewayError("no register answered (\(failures.joined(separator: "; ")))")
    }

    static func split(_ address: String) throws(GatewayError) -> (String, UInt16) {
        guard let colon = address.lastIndex(of: ":"), let port = UInt16(address[address.index(after: colon)...]) else {
            throw GatewayError("bad address \(address): host:port expected")
        }
        return (String(address[..<colon]), port)
    }

    private func socket(_ address: String) throws(GatewayError) -> BlockingFrameSocket {
        if let open = sockets[address] { return open }
        do {
            let (host, port) = try Self.split(address)
            let socket = try BlockingFrameSocket(host: host, port: port, timeout: timeout)
            if !secretKey.isEmpty {
                let auth = GatewayFrame(
                    .gatewayClientConnect, body: .string(PHPJSON.encode(["secret_key": .string(secretKey)])))
                try socket.send(raw: auth.encoded)
            }
            sockets[address] = socket
            return socket
        } catch let error as GatewayError {
            throw error
        } catch {
            throw GatewayError("gateway \(address): \(error)")
        }
    }

    /// Sends `frame` to `address`; with `reply`, waits for the answer.
    private func exchange(_ frame: GatewayFrame, with address: String, reply: Bool) throws(GatewayError) -> PHPValue {
        do {
            let socket = try socket(address)
            try socket.send(raw: frame.encoded)
            guard reply else { return .null }
            return try PHPSerialization.unserialize(socket.receivePacket(lengthCountsItself: false))
        } catch {
            sockets[address] = nil
            throw error as? GatewayError ?? GatewayError("gateway \(address): \(error)")
        }
    }

    /// Sends one call's frames.
    public func deliver(_ deliveries: GatewayDeliveries) throws(GatewayError) {
        for delivery in deliveries.items {
            switch delivery {
            case .one(let address, let frame): _ = try exchange(frame, with: address, reply: false)
            case .every(let frameFor):
                for address in try gatewayAddresses() {
                    if let frame = frameFor(address) { _ = try exchange(frame, with: address, reply: false) }
                }
            }
        }
    }

    /// Runs a query on the gateways it concerns and combines their answers.
    public func run<Result>(_ query: GatewayQuery<Result>) throws(GatewayError) -> Result {
        var answers: [(address: String, value: PHPValue)] = []
        switch query.delivery {
        case .one(let address, let frame): answers.append((address, try exchange(frame, with: address, reply: true)))
        case .every(let frameFor):
            for address in try gatewayAddresses() {
                if let frame = frameFor(address) {
                    answers.append((address, try exchange(frame, with: address, reply: true)))
                }
            }
        }
        return try query.combine(answers)
    }

    /// `isOnline`.
    public func isOnline(_ clientID: ClientID) throws(GatewayError) -> Bool { try run(.isOnline(clientID)) }
    /// `isUidOnline`.
    public func isUidOnline(_ uid: String) throws(GatewayError) -> Bool { try !getClientIdByUid(uid).isEmpty }
    /// `getSession`: nil when the client is not connected.
    public func getSession(_ clientID: ClientID) throws(GatewayError) -> GatewaySession? { try run(.session(clientID)) }
    /// `getAllClientIdCount`.
    public func getAllClientIdCount() throws(GatewayError) -> Int { try run(.clientCount(group: "")) }
    /// `getClientIdCountByGroup`.
    public func getClientIdCountByGroup(_ group: String) throws(GatewayError) -> Int {
        try run(.clientCount(group: group))
    }
    /// `batchGetClientIdCountByGroup`.
    public func batchGetClientIdCountByGroup(_ groups: [String]) throws(GatewayError) -> [String: Int] {
        try run(.clientCounts(groups: groups))
    }
    /// `getAllClientSessions`.
    public func getAllClientSessions() throws(GatewayError) -> [ClientID: GatewaySession] {
        try run(.sessions(group: nil))
    }
    /// `getClientSessionsByGroup`.
    public func getClientSessionsByGroup(_ group: String) throws(GatewayError) -> [ClientID: GatewaySession] {
        try run(.sessions(group: group))
    }
    /// `getAllClientIdList`.
    public func getAllClientIdList() throws(GatewayError) -> [ClientID] { try run(.clientIDList(group: nil)) }
    /// `getClientIdListByGroup`.
    public func getClientIdListByGroup(_ group: String) throws(GatewayError) -> [ClientID] {
        try run(.clientIDList(group: group))
    }
    /// `getClientIdByUid`.
    public func getClientIdByUid(_ uid: String) throws(GatewayError) -> [ClientID] { try run(.clientIDs(uid: uid)) }
    /// `batchGetClientIdByUid`.
    public func batchGetClientIdByUid(_ uids: [String]) throws(GatewayError) -> [String: [ClientID]] {
        try run(.clientIDs(uids: uids))
    }
    /// `getUidByClientId`.
    public func getUidByClientId(_ clientID: ClientID) throws(GatewayError) -> String? { try run(.uid(of: clientID)) }
    /// `getAllUidList`.
    public func getAllUidList() throws(GatewayError) -> [String] { try run(.uidList(group: nil)) }
    /// `getAllUidCount`.
    public func getAllUidCount() throws(GatewayError) -> Int { try getAllUidList().count }
    /// `getUidListByGroup`.
    public func getUidListByGroup(_ group: String) throws(GatewayError) -> [String] { try run(.uidList(group: group)) }
    /// `getUidCountByGroup`.
    public func getUidCountByGroup(_ group: String) throws(GatewayError) -> Int { try getUidListByGroup(group).count }
    /// `getAllGroupIdList`.
    public func getAllGroupIdList() throws(GatewayError) -> [String] { try run(.groupIDs) }
    /// `getAllGroupUidList`.
    public func getAllGroupUidList() throws(GatewayError) -> [String: [String]] { try run(.groupUidLists) }
    /// `getAllGroupUidCount`.
    public func getAllGroupUidCount() throws(GatewayError) -> [String: Int] {
        try getAllGroupUidList().mapValues(\.count)
    }
    /// `getAllGroupClientIdList`.
    public func getAllGroupClientIdList() throws(GatewayError) -> [String: [ClientID]] { try run(.groupClientIDLists) }
    /// `getAllGroupClientIdCount`.
    public func getAllGroupClientIdCount() throws(GatewayError) -> [String: Int] {
        try getAllGroupClientIdList().mapValues(\.count)
    }
}
