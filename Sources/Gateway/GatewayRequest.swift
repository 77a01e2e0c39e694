/// Where the frames of one Gateway API call go: one gateway (the one a client id names) or every
/// gateway, with a frame per address (exclude lists differ per gateway).
enum GatewayDelivery {
    case one(address: String, GatewayFrame)
    case every((String) -> GatewayFrame?)
}

/// The frames of each sending call of the Gateway API, as GatewayWorker's `Lib\Gateway` builds them.
enum GatewaySends {
    static func frame(_ command: GatewayCommand, body: String = "", ext: String = "", raw: Bool = false) -> GatewayFrame
    {
        var frame = GatewayFrame(command, body: .string(body))
        frame.extData = Array(ext.utf8)
        if raw { frame.flags.insert(.skipClientEncode) }
        return frame
    }

    static func toClient(
        _ id: ClientID, _ command: GatewayCommand, body: PHPValue = "", ext: [UInt8] = [], raw: Bool = false
    )
        -> GatewayDelivery
    {
        var frame = GatewayFrame(command, body: body)
        frame.connectionID = id.connectionID
        frame.extData = ext
        if raw { frame.flags.insert(.skipClientEncode) }
        return .one(address: id.gatewayAddress, frame)
    }

    /// Connection numbers per gateway address, as `{"id":id,...}` maps.
    static func byGateway(_ ids: [ClientID]) -> [String: PHPArray] {
        var result: [String: PHPArray] = [:]
        for id in ids {
            result[id.gatewayAddress, default: PHPArray()][.int(Int(id.connectionID))] = .int(Int(id.connectionID))
        }
        return result
    }

    static func sendToAll(_ message: String, only: [ClientID]?, exclude: [ClientID], raw: Bool) -> [GatewayDelivery] {
        let base = frame(.sendToAll, body: message, raw: raw)
        if let only {
            let excluded = Set(exclude)
            return byGateway(only.filter { !excluded.contains($0) }).sorted { $0.key < $1.key }.map { address, ids in
                var one = base
                one.extData = Array(PHPJSON.encode(["connections": .array(ids)]).utf8)
                return .one(address: address, one)
            }
        }
        let excluded = byGateway(exclude)
        return [
            .every { address in
                var one = base
                if let ids = excluded[address] { one.extData = Array(PHPJSON.encode(["exclude": .array(ids)]).utf8) }
                return one
            }
        ]
    }

    static func sendToGroup(_ groups: [String], _ message: String, exclude: [ClientID], raw: Bool) -> GatewayDelivery {
        let base = frame(.sendToGroup, body: message, raw: raw)
        let list = PHPValue.array(PHPArray(list: groups.map { .string($0) }))
        let excluded = byGateway(exclude)
        return .every { address in
            var one = base
            let ids = excluded[address].map { PHPValue.array($0) } ?? .null
            one.extData = Array(PHPJSON.encode(["group": list, "exclude": ids]).utf8)
            return one
        }
    }

    static func sendToUid(_ uids: [String], _ message: String, raw: Bool) -> GatewayDelivery {
        let list = PHPJSON.encode(.array(PHPArray(list: uids.map { .string($0) })))
        let one = frame(.sendToUid, body: message, ext: list, raw: raw)
        return .every { _ in one }
    }

    static func ungroup(_ group: String) -> GatewayDelivery {
        let one = frame(.ungroup, ext: group)
        return .every { _ in one }
    }
}

/// A query of the Gateway API: what to ask which gateways, and how to combine their answers.
public struct GatewayQuery<Result> {
    let delivery: GatewayDelivery
    let combine: ([(address: String, value: PHPValue)]) throws(GatewayError) -> Result

    static func every(
        _ frame: GatewayFrame, combine: @escaping ([(address: String, value: PHPValue)]) throws(GatewayError) -> Result
    ) -> Self {
        GatewayQuery(delivery: .every { _ in frame }, combine: combine)
    }
}

/// The ids of a gateway's connection numbers.
private func clientID(_ address: String, _ connection: PHPValue) -> ClientID? {
    let parts = address.split(separator: ":")
    guard parts.count == 2, let ip = IPv4.parse(String(parts[0])), let port = UInt16(parts[1]),
        let number = connection.int
    else { return nil }
    return ClientID(gatewayIP: ip, gatewayPort: port, connectionID: UInt32(truncatingIfNeeded: number))
}

private func selectFrame(fields: [String], where conditions: PHPArray = [:]) -> GatewayFrame {
    var frame = GatewayFrame(.select)
    let fieldList = PHPValue.array(PHPArray(list: fields.map { .string($0) }))
    frame.extData = Array(PHPJSON.encode(["fields": fieldList, "where": .array(conditions)]).utf8)
    return frame
}

/// (client id, its selected fields) for every row of every gateway's `CMD_SELECT` answer.
private func rows(_ answers: [(address: String, value: PHPValue)]) -> [(ClientID, PHPArray)] {
    var result: [(ClientID, PHPArray)] = []
    for (address, value) in answers {
        for (key, info) in value.array ?? [] {
            guard case .int(let number) = key, let id = clientID(address, .int(number)) else { continue }
            result.append((id, info.array ?? [:]))
        }
    }
    return result.sorted { $0.0 < $1.0 }
}

private func unique(_ values: [String]) -> [String] {
    var seen = Set<String>()
    return values.filter { seen.insert($0).inserted }
}

private func decodeSession(_ value: PHPValue) -> GatewaySession {
    guard let text = value.string, !text.isEmpty else { return [:] }
    return (try? PHPSerialization.unserializeSession(Array(text.utf8))) ?? [:]
}

extension GatewayQuery {
    /// `getClientIdCountByGroup` ("" counts every client).
    static func clientCount(group: String) -> GatewayQuery<Int> {
        var frame = GatewayFrame(.getClientCountByGroup)
        frame.extData = Array(group.utf8)
        return .every(frame) { answers in answers.reduce(0) { $0 + ($1.value.int ?? 0) } }
    }

    /// `batchGetClientIdCountByGroup`.
    static func clientCounts(groups: [String]) -> GatewayQuery<[String: Int]> {
        var frame = GatewayFrame(.batchGetClientCountByGroup)
        frame.extData = Array(PHPJSON.encode(.array(PHPArray(list: groups.map { .string($0) }))).utf8)
        return .every(frame) { answers in
            var counts = Dictionary(uniqueKeysWithValues: groups.map { ($0, 0) })
            for (_, value) in answers {
                for (key, count) in value.array ?? [] { counts[key.description, default: 0] += count.int ?? 0 }
            }
            return counts
        }
    }

    /// `isOnline`.
    static func isOnline(_ id: ClientID) -> GatewayQuery<Bool> {
        var frame = GatewayFrame(.isOnline)
        frame.connectionID = id.connectionID
        return GatewayQuery<Bool>(delivery: .one(address: id.gatewayAddress, frame)) { answers in
            answers.contains { $0.value.int == 1 }
        }
    }

    /// `getSession`: nil when the client is not connected.
    static func session(_ id: ClientID) -> GatewayQuery<GatewaySession?> {
        var frame = GatewayFrame(.getSessionByClientId)
        frame.connectionID = id.connectionID
        return GatewayQuery<GatewaySession?>(delivery: .one(address: id.gatewayAddress, frame)) { answers in
            guard let value = answers.first?.value, value != .null else { return nil }
            return value.array ?? [:]
        }
    }

    /// `getAllClientSessions` / `getClientSessionsByGroup`.
    static func sessions(group: String?) -> GatewayQuery<[ClientID: GatewaySession]> {
        var frame = GatewayFrame(group == nil ? .getAllClientSessions : .getClientSessionsByGroup)
        frame.extData = Array((group ?? "").utf8)
        return .every(frame) { answers in
            var result: [ClientID: GatewaySession] = [:]
            for (address, value) in answers {
                for (key, session) in value.array ?? [] {
                    guard case .int(let number) = key, let id = clientID(address, .int(number)) else { continue }
                    result[id] = decodeSession(session)
                }
            }
            return result
        }
    }

    /// `getClientIdByUid`.
    static func clientIDs(uid: String) -> GatewayQuery<[ClientID]> {
        var frame = GatewayFrame(.getClientIdByUid)
        frame.extData = Array(uid.utf8)
        return .every(frame) { answers in
            answers.flatMap { answer in
                (answer.value.array?.orderedValues ?? []).compactMap { clientID(answer.address, $0) }
            }
            .sorted()
        }
    }

    /// `batchGetClientIdByUid`.
    static func clientIDs(uids: [String]) -> GatewayQuery<[String: [ClientID]]> {
        var frame = GatewayFrame(.batchGetClientIdByUid)
        frame.extData = Array(PHPJSON.encode(.array(PHPArray(list: uids.map { .string($0) }))).utf8)
        return .every(frame) { answers in
            var result = Dictionary(uniqueKeysWithValues: uids.map { ($0, [ClientID]()) })
            for (address, value) in answers {
                for (uid, ids) in value.array ?? [] {
                    result[uid.description, default: []] += (ids.array?.orderedValues ?? []).compactMap {
                        clientID(address, $0)
                    }
                }
            }
            return result.mapValues { $0.sorted() }
        }
    }

    /// `getAllGroupIdList`.
    static var groupIDs: GatewayQuery<[String]> {
        .every(GatewayFrame(.getGroupIdList)) { answers in
            unique(answers.flatMap { ($0.value.array?.orderedValues ?? []).map(\.stringValue) }).sorted()
        }
    }

    /// `getAllClientIdList` / `getClientIdListByGroup`.
    static func clientIDList(group: String?) -> GatewayQuery<[ClientID]> {
        let conditions: PHPArray = group.map { ["groups": [.string($0)]] } ?? [:]
        return .every(selectFrame(fields: ["uid"], where: conditions)) { answers in rows(answers).map(\.0) }
    }

    /// `getAllUidList` / `getUidListByGroup`.
    static func uidList(group: String?) -> GatewayQuery<[String]> {
        let conditions: PHPArray = group.map { ["groups": [.string($0)]] } ?? [:]
        return .every(selectFrame(fields: ["uid"], where: conditions)) { answers in
            unique(rows(answers).compactMap { $0.1["uid"]?.string }).sorted()
        }
    }

    /// `getUidByClientId`.
    static func uid(of id: ClientID) -> GatewayQuery<String?> {
        let frame = selectFrame(fields: ["uid"], where: ["connection_id": [.int(Int(id.connectionID))]])
        return GatewayQuery<String?>(delivery: .one(address: id.gatewayAddress, frame)) { answers in
            rows(answers).first { $0.0 == id }?.1["uid"]?.string
        }
    }

    /// `getAllGroupUidList`.
    static var groupUidLists: GatewayQuery<[String: [String]]> {
        .every(selectFrame(fields: ["uid", "groups"])) { answers in
            var result: [String: [String]] = [:]
            for (_, info) in rows(answers) {
                guard let uid = info["uid"]?.string else { continue }
                for group in info["groups"]?.array?.orderedValues ?? [] {
                    result[group.stringValue, default: []].append(uid)
                }
            }
            return result.mapValues { unique($0).sorted() }
        }
    }

    /// `getAllGroupClientIdList`.
    static var groupClientIDLists: GatewayQuery<[String: [ClientID]]> {
        .every(selectFrame(fields: ["groups"])) { answers in
            var result: [String: [ClientID]] = [:]
            for (id, info) in rows(answers) {
                for group in info["groups"]?.array?.orderedValues ?? [] {
                    result[group.stringValue, default: []].append(id)
                }
            }
            return result
        }
    }
}
