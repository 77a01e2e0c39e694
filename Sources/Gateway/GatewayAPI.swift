import WorkermanCore

/// What goes to which gateways for one Gateway API call (built by the API, carried out by a client).
public struct GatewayDeliveries {
    let items: [GatewayDelivery]
}

/// The sending half of GatewayWorker's `Lib\Gateway`, the same in every context: a business worker's
/// `api`, an `AsyncGatewayClient` in any Worker, a blocking `GatewayClient` in a script. One Swift
/// name per PHP function (`destroyClient` for PHP's `destoryClient`).
///
/// The blocking client throws (`Failure == GatewayError`); the event-loop ones never do
/// (`Failure == Never`): they report problems to their `onError`.
public protocol GatewayAPI {
    /// What a call can throw.
    associatedtype Failure: Error
    /// Carries out one call's frames.
    func deliver(_ deliveries: GatewayDeliveries) throws(Failure)
}

extension GatewayAPI {
    private func deliver(_ items: [GatewayDelivery]) throws(Failure) { try deliver(GatewayDeliveries(items: items)) }

    /// `sendToAll`: every client of every gateway, or only `clientIDs`, minus `exclude`. `raw`
    /// sends the bytes without the client protocol's encode.
    public func sendToAll(
        _ message: String, only clientIDs: [ClientID]? = nil, exclude: [ClientID] = [], raw: Bool = false
    )
        throws(Failure)
    {
        if let clientIDs, clientIDs.isEmpty { return }
        try deliver(GatewaySends.sendToAll(message, only: clientIDs, exclude: exclude, raw: raw))
    }

    /// `sendToClient`.
    public func sendToClient(_ clientID: ClientID, _ message: String, raw: Bool = false) throws(Failure) {
        try deliver([GatewaySends.toClient(clientID, .sendToOne, body: .string(message), raw: raw)])
    }

    /// `sendToCurrentClient`: the client of the business worker event being handled.
    public func sendToCurrentClient(_ message: String, raw: Bool = false) throws(Failure) {
        guard let id = currentClient("sendToCurrentClient") else { return }
        try sendToClient(id, message, raw: raw)
    }

    /// `sendToUid`: every client bound to `uid`.
    public func sendToUid(_ uid: String, _ message: String, raw: Bool = false) throws(Failure) {
        try sendToUid([uid], message, raw: raw)
    }

    /// `sendToUid` with several uids.
    public func sendToUid(_ uids: [String], _ message: String, raw: Bool = false) throws(Failure) {
        try deliver([GatewaySends.sendToUid(uids, message, raw: raw)])
    }

    /// `sendToGroup`: every member of `group` but `exclude`.
    public func sendToGroup(_ group: String, _ message: String, exclude: [ClientID] = [], raw: Bool = false)
        throws(Failure)
    {
        try sendToGroup([group], message, exclude: exclude, raw: raw)
    }

    /// `sendToGroup` with several groups.
    public func sendToGroup(_ groups: [String], _ message: String, exclude: [ClientID] = [], raw: Bool = false)
        throws(Failure)
    {
        let named = groups.filter { !$0.isEmpty }
        guard !named.isEmpty else { return Log.write("Gateway API: sendToGroup with no group name ignored") }
        try deliver([GatewaySends.sendToGroup(named, message, exclude: exclude, raw: raw)])
    }

    /// `closeClient`: closes after what is queued for it, sending `message` last.
    public func closeClient(_ clientID: ClientID, _ message: String? = nil) throws(Failure) {
        try deliver([GatewaySends.toClient(clientID, .kick, body: message.map { .string($0) } ?? .null)])
    }

    /// `closeCurrentClient`.
    public func closeCurrentClient(_ message: String? = nil) throws(Failure) {
        guard let id = currentClient("closeCurrentClient") else { return }
        try closeClient(id, message)
    }

    /// `destoryClient` (sic in PHP): closes at once, dropping what is queued.
    public func destroyClient(_ clientID: ClientID) throws(Failure) {
        try deliver([GatewaySends.toClient(clientID, .destroy)])
    }

    /// `destoryCurrentClient`.
    public func destroyCurrentClient() throws(Failure) {
        guard let id = currentClient("destroyCurrentClient") else { return }
        try destroyClient(id)
    }

    /// `bindUid`: a client is bound to at most one uid (binding again moves it).
    public func bindUid(_ clientID: ClientID, _ uid: String) throws(Failure) {
        guard !uid.isEmpty else { return Log.write("Gateway API: bindUid with an empty uid ignored") }
        try deliver([GatewaySends.toClient(clientID, .bindUid, ext: Array(uid.utf8))])
    }

    /// `unbindUid`.
    public func unbindUid(_ clientID: ClientID, _ uid: String) throws(Failure) {
        try deliver([GatewaySends.toClient(clientID, .unbindUid, ext: Array(uid.utf8))])
    }

    /// `joinGroup`.
    public func joinGroup(_ clientID: ClientID, _ group: String) throws(Failure) {
        guard !group.isEmpty else { return Log.write("Gateway API: joinGroup with an empty group ignored") }
        try deliver([GatewaySends.toClient(clientID, .joinGroup, ext: Array(group.utf8))])
    }

    /// `leaveGroup`.
    public func leaveGroup(_ clientID: ClientID, _ group: String) throws(Failure) {
        guard !group.isEmpty else { return }
        try deliver([GatewaySends.toClient(clientID, .leaveGroup, ext: Array(group.utf8))])
    }

    /// `ungroup`: dissolves `group` on every gateway.
    public func ungroup(_ group: String) throws(Failure) {
        guard !group.isEmpty else { return }
        try deliver([GatewaySends.ungroup(group)])
    }

    /// `setSession`: replaces the client's session.
    public func setSession(_ clientID: ClientID, _ session: GatewaySession) throws(Failure) {
        if clientID == GatewayContext.clientID {
            GatewayContext.session = session
            GatewayContext.sessionAtStart = session
        }
        try deliver([GatewaySends.toClient(clientID, .setSession, ext: PHPSerialization.serialize(session))])
    }

    /// `updateSession`: merges `session` into the client's (`array_replace_recursive`).
    public func updateSession(_ clientID: ClientID, _ session: GatewaySession) throws(Failure) {
        if clientID == GatewayContext.clientID {
            let merged = (GatewayContext.session ?? [:]).replacingRecursively(with: session)
            GatewayContext.session = merged
            GatewayContext.sessionAtStart = merged
        }
        try deliver([GatewaySends.toClient(clientID, .updateSession, ext: PHPSerialization.serialize(session))])
    }

    private func currentClient(_ call: String) -> ClientID? {
        if let id = GatewayContext.clientID { return id }
        Log.write("Gateway API: \(call) outside a business worker event ignored")
        return nil
    }
}
