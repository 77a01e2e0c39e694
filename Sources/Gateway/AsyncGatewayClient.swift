import WorkermanCore
import WorkermanProtocols
import WorkermanTimer

/// The Gateway API inside an event loop: in any Worker (an HTTP app pushing to users), and as a
/// business worker's `api`. Sends return at once; queries answer through a callback, never blocking
/// the loop.
///
/// ```swift
/// let gateway = AsyncGatewayClient(registerAddress: ["127.0.0.1:1236"])
/// http.onMessage = { connection, _ in
///     gateway.sendToUid("alice", "{\"type\":\"push\"}")
///     gateway.getAllClientIdCount { result in connection.send("\((try? result.get()) ?? -1)") }
/// }
/// ```
/// Outside a business worker it keeps a connection to the register (the gateway list stays current)
/// and one to each gateway it talks to. A query that is not answered within `timeout` seconds
/// fails with `GatewayError`; a send that cannot go out is reported to `onError` (default: logged).
public final class AsyncGatewayClient: GatewayAPI {
    /// Sends never throw here.
    public typealias Failure = Never
    /// The gateways' `secretKey`.
    public var secretKey: String
    /// Seconds a query may wait for its answers.
    public var timeout = 5.0
    /// Called with what could not be sent; without it, errors are logged.
    public var onError: ((GatewayError) -> Void)?
    private let registerAddress: [String]
    private weak var businessWorker: BusinessWorker?
    private var registerLinks: [AsyncTcpConnection] = []
    private var addresses: [String]?
    private var waiting: [([String]) -> Void] = []
    private var links: [String: GatewayQueryLink] = [:]

    /// A client of the gateways that `registerAddress` lists.
    public init(registerAddress: [String] = ["127.0.0.1:1236"], secretKey: String = "") {
        self.registerAddress = registerAddress
        self.secretKey = secretKey
    }

    init(businessWorker: BusinessWorker) {
        self.businessWorker = businessWorker
        registerAddress = []
        secretKey = ""
    }

    private var key: String { businessWorker?.secretKey ?? secretKey }

    private func report(_ error: GatewayError) {
        if let onError { onError(error) } else { Log.write("Gateway API: \(error)") }
    }

    // MARK: gateway addresses

    /// Runs `work` with the gateway addresses, at once when known.
    private func withAddresses(_ work: @escaping ([String]) -> Void) {
        if let businessWorker { return work(businessWorker.gatewayAddresses) }
        if let addresses { return work(addresses) }
        waiting.append(work)
        if registerLinks.isEmpty { connectToRegisters() }
    }

    /// Connects to every register; the addresses come from whichever answers (and stay current).
    private func connectToRegisters() {
        guard !registerAddress.isEmpty else { return report(GatewayError("no registerAddress")) }
        let hello = RegisterMessage.workerConnect(secretKey: secretKey)
        for address in registerAddress {
            let onLine: (String) -> Void = { [self] line in
                guard case .broadcastAddresses(let list)? = try? RegisterMessage(decoding: line) else { return }
                addresses = list
                let work = waiting
                waiting = []
                for item in work { item(list) }
            }
            if let link = RegisterLink.open(address, hello: hello, keep: { true }, onLine: onLine) {
                registerLinks.append(link)
            }
        }
    }

    private func link(_ address: String) -> GatewayQueryLink? {
        if let open = links[address] { return open }
        do {
            let made = try GatewayQueryLink(address: address, secretKey: key) { [weak self] gone in
                if self?.links[gone.address] === gone { self?.links[gone.address] = nil }
            }
            links[address] = made
            return made
        } catch {
            report(error)
            return nil
        }
    }

    // MARK: sending

    private func send(_ frame: GatewayFrame, to address: String) {
        if let businessWorker {
            if !businessWorker.send(frame, to: address) {
                report(GatewayError("\(frame.command) to gateway \(address) not sent: not connected to it"))
            }
            return
        }
        guard let link = link(address) else { return }
        if !link.send(frame) {
            report(GatewayError("\(frame.command) to gateway \(address) not sent (send buffer full)"))
        }
    }

    /// Sends one call's frames.
    public func deliver(_ deliveries: GatewayDeliveries) {
        for delivery in deliveries.items {
            switch delivery {
            case .one(let address, let frame): send(frame, to: address)
            case .every(let frameFor):
                withAddresses { [self] addresses in
                    for address in addresses { if let frame = frameFor(address) { send(frame, to: address) } }
                }
            }
        }
    }

    // MARK: queries

    /// Runs a query on the gateways it concerns; `done` gets the combined answer or the first error,
    /// within `timeout` seconds (waiting for the gateway list included).
    public func run<Result>(
        _ query: GatewayQuery<Result>, _ done: @escaping (Swift.Result<Result, GatewayError>) -> Void
    ) {
        let pending = PendingQuery(query, done)
        let seconds = timeout
        pending.timer = Timer.add(seconds, persistent: false) { [weak self] in
            pending.timer = nil
            // A late reply would answer the next query on that connection: drop the ones that did not answer.
            for address in pending.unanswered { self?.links[address]?.connection.destroy() }
            pending.finish(.failure(GatewayError("no answer within \(seconds) s")))
        }
        switch query.delivery {
        case .one(let address, let frame): ask([(address, frame)], pending)
        case .every(let frameFor):
            withAddresses { [self] addresses in
                ask(addresses.compactMap { address in frameFor(address).map { (address, $0) } }, pending)
            }
        }
    }

    private func ask<Result>(_ targets: [(String, GatewayFrame)], _ pending: PendingQuery<Result>) {
        guard !pending.isFinished else { return }
        pending.targets = targets.map(\.0)
        guard !targets.isEmpty else { return pending.complete() }
        for (address, frame) in targets {
            guard let link = link(address) else {
                return pending.finish(.failure(GatewayError("gateway \(address) unreachable")))
            }
            link.ask(frame) { reply in
                switch reply {
                case .success(let value): pending.answer(address, value)
                case .failure(let error): pending.finish(.failure(error))
                }
            }
        }
    }

    /// `isOnline`.
    public func isOnline(_ clientID: ClientID, _ done: @escaping (Result<Bool, GatewayError>) -> Void) {
        run(.isOnline(clientID), done)
    }
    /// `isUidOnline`.
    public func isUidOnline(_ uid: String, _ done: @escaping (Result<Bool, GatewayError>) -> Void) {
        run(.clientIDs(uid: uid)) { done($0.map { !$0.isEmpty }) }
    }
    /// `getSession`: nil when the client is not connected.
    public func getSession(_ clientID: ClientID, _ done: @escaping (Result<GatewaySession?, GatewayError>) -> Void) {
        run(.session(clientID), done)
    }
    /// `getAllClientIdCount`.
    public func getAllClientIdCount(_ done: @escaping (Result<Int, GatewayError>) -> Void) {
        run(.clientCount(group: ""), done)
    }
    /// `getClientIdCountByGroup`.
    public func getClientIdCountByGroup(_ group: String, _ done: @escaping (Result<Int, GatewayError>) -> Void) {
        run(.clientCount(group: group), done)
    }
    /// `batchGetClientIdCountByGroup`.
    public func batchGetClientIdCountByGroup(
        _ groups: [String], _ done: @escaping (Result<[String: Int], GatewayError>) -> Void
    ) {
        run(.clientCounts(groups: groups), done)
    }
    /// `getAllClientSessions`.
    public func getAllClientSessions(_ done: @escaping (Result<[ClientID: GatewaySession], GatewayError>) -> Void) {
        run(.sessions(group: nil), done)
    }
    /// `getClientSessionsByGroup`.
    public func getClientSessionsByGroup(
        _ group: String, _ done: @escaping (Result<[ClientID: GatewaySession], GatewayError>) -> Void
    ) {
        run(.sessions(group: group), done)
    }
    /// `getAllClientIdList`.
    public func getAllClientIdList(_ done: @escaping (Result<[ClientID], GatewayError>) -> Void) {
        run(.clientIDList(group: nil), done)
    }
    /// `getClientIdListByGroup`.
    public func getClientIdListByGroup(_ group: String, _ done: @escaping (Result<[ClientID], GatewayError>) -> Void) {
        run(.clientIDList(group: group), done)
    }
    /// `getClientIdByUid`.
    public func getClientIdByUid(_ uid: String, _ done: @escaping (Result<[ClientID], GatewayError>) -> Void) {
        run(.clientIDs(uid: uid), done)
    }
    /// `batchGetClientIdByUid`.
    public func batchGetClientIdByUid(
        _ uids: [String], _ done: @escaping (Result<[String: [ClientID]], GatewayError>) -> Void
    ) {
        run(.clientIDs(uids: uids), done)
    }
    /// `getUidByClientId`.
    public func getUidByClientId(_ clientID: ClientID, _ done: @escaping (Result<String?, GatewayError>) -> Void) {
        run(.uid(of: clientID), done)
    }
    /// `getAllUidList`.
    public func getAllUidList(_ done: @escaping (Result<[String], GatewayError>) -> Void) {
        run(.uidList(group: nil), done)
    }
    /// `getAllUidCount`.
    public func getAllUidCount(_ done: @escaping (Result<Int, GatewayError>) -> Void) {
        run(.uidList(group: nil)) { done($0.map(\.count)) }
    }
    /// `getUidListByGroup`.
    public func getUidListByGroup(_ group: String, _ done: @escaping (Result<[String], GatewayError>) -> Void) {
        run(.uidList(group: group), done)
    }
    /// `getUidCountByGroup`.
    public func getUidCountByGroup(_ group: String, _ done: @escaping (Result<Int, GatewayError>) -> Void) {
        run(.uidList(group: group)) { done($0.map(\.count)) }
    }
    /// `getAllGroupIdList`.
    public func getAllGroupIdList(_ done: @escaping (Result<[String], GatewayError>) -> Void) { run(.groupIDs, done) }
    /// `getAllGroupUidList`.
    public func getAllGroupUidList(_ done: @escaping (Result<[String: [String]], GatewayError>) -> Void) {
        run(.groupUidLists, done)
    }
    /// `getAllGroupUidCount`.
    public func getAllGroupUidCount(_ done: @escaping (Result<[String: Int], GatewayError>) -> Void) {
        run(.groupUidLists) { done($0.map { $0.mapValues(\.count) }) }
    }
    /// `getAllGroupClientIdList`.
    public func getAllGroupClientIdList(_ done: @escaping (Result<[String: [ClientID]], GatewayError>) -> Void) {
        run(.groupClientIDLists, done)
    }
    /// `getAllGroupClientIdCount`.
    public func getAllGroupClientIdCount(_ done: @escaping (Result<[String: Int], GatewayError>) -> Void) {
        run(.groupClientIDLists) { done($0.map { $0.mapValues(\.count) }) }
    }
}

/// One query in flight: the gateways asked, their answers so far, the timeout.
private final class PendingQuery<Result> {
    let query: GatewayQuery<Result>
    let done: (Swift.Result<Result, GatewayError>) -> Void
    var targets: [String] = []
    var answers: [(address: String, value: PHPValue)] = []
    var timer: TimerID?
    private(set) var isFinished = false

    init(_ query: GatewayQuery<Result>, _ done: @escaping (Swift.Result<Result, GatewayError>) -> Void) {
        self.query = query
        self.done = done
    }

    /// The gateways asked that have not answered.
    var unanswered: [String] {
        let answered = Set(answers.map(\.address))
        return targets.filter { !answered.contains($0) }
    }

    func answer(_ address: String, _ value: PHPValue) {
        answers.append((address, value))
        if answers.count == targets.count { complete() }
    }

    func complete() { finish(Swift.Result { () throws(GatewayError) in try query.combine(answers) }) }

    func finish(_ outcome: Swift.Result<Result, GatewayError>) {
        guard !isFinished else { return }
        isFinished = true
        if let timer { Timer.del(timer) }
        timer = nil
        done(outcome)
    }
}
