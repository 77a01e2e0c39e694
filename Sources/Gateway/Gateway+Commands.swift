import WorkermanCore

/// What a gateway does with each internal frame (GatewayWorker 4's `onWorkerMessage`).
extension Gateway {
    func handleInner(_ frame: GatewayFrame, from connection: TcpConnection) {
        let command = frame.command
        if connection.context[.gatewayAuthorized] != true && command != .workerConnect
            && command != .gatewayClientConnect
        {
            return refuse(connection, "unauthorized \(command)")
        }
        switch command {
        case .workerConnect, .gatewayClientConnect:
            guard case .array(let info) = try? PHPJSON.decode(String(decoding: frame.body, as: UTF8.self)) else {
                return refuse(connection, "\(command) without a JSON body")
            }
            guard (info["secret_key"]?.stringValue ?? "") == secretKey else {
                return refuse(connection, "wrong secret key")
            }
            connection.context[.gatewayAuthorized] = true
            if command == .workerConnect {
                let name = info["worker_key"]?.stringValue ?? ""
                workerConnected(connection, key: "\(connection.getRemoteIp()):\(name)")
            }
        case .ping: break
        case .workerLeaving: workerLeaving(connection)
        case .sendToOne:
            if let record = clients[frame.connectionID] { deliver(frame, to: record) }
        case .kick:
            guard let record = clients[frame.connectionID] else { return }
            if let last = try? frame.bodyValue(), last != .null {
                record.connection.close(.text(last.stringValue))
            } else {
                record.connection.close()
            }
        case .destroy: clients[frame.connectionID]?.connection.destroy()
        case .sendToAll: sendToAll(frame)
        case .sendToUid:
            guard case .array(let uids)? = try? PHPJSON.decode(frame.extText) else { return }
            let (message, raw) = outgoing(frame)
            for uid in uids.orderedValues {
                for id in uidClients[uid.stringValue] ?? [] { clients[id]?.connection.send(message, raw: raw) }
            }
        case .sendToGroup: sendToGroup(frame)
        case .bindUid:
            let uid = frame.extText
            guard !uid.isEmpty, let record = clients[frame.connectionID] else { return }
            if let old = record.uid { remove(record.connectionID, fromUid: old) }
            record.uid = uid
            uidClients[uid, default: []].insert(record.connectionID)
        case .unbindUid:
            guard let record = clients[frame.connectionID], let old = record.uid else { return }
            remove(record.connectionID, fromUid: old)
            record.uid = nil
        case .joinGroup:
            let group = frame.extText
            guard !group.isEmpty, let record = clients[frame.connectionID] else { return }
            if !record.groups.contains(group) { record.groups.append(group) }
            groupClients[group, default: []].insert(record.connectionID)
        case .leaveGroup:
            let group = frame.extText
            guard let record = clients[frame.connectionID], record.groups.contains(group) else { return }
            record.groups.removeAll { $0 == group }
            remove(record.connectionID, fromGroup: group)
        case .ungroup:
            let group = frame.extText
            for id in groupClients.removeValue(forKey: group) ?? [] { clients[id]?.groups.removeAll { $0 == group } }
        case .setSession:
            clients[frame.connectionID]?.session = frame.extData
        case .updateSession:
            guard let record = clients[frame.connectionID] else { return }
            guard !record.session.isEmpty else {
                record.session = frame.extData
                return
            }
            do {
                let merged = try PHPSerialization.unserializeSession(record.session)
                    .replacingRecursively(with: try PHPSerialization.unserializeSession(frame.extData))
                record.session = PHPSerialization.serialize(merged)
            } catch {
                Log.write("Gateway: UPDATE_SESSION for \(record.clientID) not applied: \(error)")
            }
        default:
            if command.expectsReply {
                connection.send(.object(GatewayFrame.reply(serialized: answer(frame))), raw: true)
            } else {
                refuse(connection, "unknown \(command)")
            }
        }
    }

    private func refuse(_ connection: TcpConnection, _ reason: String) {
        Log.write("Gateway: \(reason) from \(connection.getRemoteAddress()); closing that internal connection")
        connection.close()
    }

    /// What a frame asks to send to clients: its body as one message, made once for every receiver.
    private func outgoing(_ frame: GatewayFrame) -> (message: Message, raw: Bool) {
        let body =
            frame.flags.contains(.bodyIsScalar)
            ? frame.body : Array(((try? frame.bodyValue()) ?? .null).stringValue.utf8)
        return (clientMessage(body), frame.flags.contains(.skipClientEncode))
    }

    private func deliver(_ frame: GatewayFrame, to record: ClientRecord) {
        let (message, raw) = outgoing(frame)
        record.connection.send(message, raw: raw)
    }

    private func sendToAll(_ frame: GatewayFrame) {
        let ext = frame.extData.isEmpty ? nil : (try? PHPJSON.decode(frame.extText))?.array
        let (message, raw) = outgoing(frame)
        if let listed = ext?["connections"]?.array {
            for id in listed.orderedValues {
                guard let number = id.int else { continue }
                clients[UInt32(truncatingIfNeeded: number)]?.connection.send(message, raw: raw)
            }
            return
        }
        let excluded = connectionIDs(ext?["exclude"])
        for record in clients.values where !excluded.contains(record.connectionID) {
            record.connection.send(message, raw: raw)
        }
    }

    private func sendToGroup(_ frame: GatewayFrame) {
        guard let ext = (try? PHPJSON.decode(frame.extText))?.array, let groups = ext["group"]?.array else { return }
        let excluded = connectionIDs(ext["exclude"])
        let (message, raw) = outgoing(frame)
        for group in groups.orderedValues {
            // As GatewayWorker: once per listed group (a client in two of them gets it twice).
            for id in groupClients[group.stringValue] ?? [] where !excluded.contains(id) {
                clients[id]?.connection.send(message, raw: raw)
            }
        }
    }

    /// The connection numbers of an `exclude` map or list.
    private func connectionIDs(_ value: PHPValue?) -> Set<UInt32> {
        guard let array = value?.array else { return [] }
        var ids = Set<UInt32>()
        for (key, element) in array {
            if let number = element.int { ids.insert(UInt32(truncatingIfNeeded: number)) }
            if case .int(let number) = key, element.int == nil { ids.insert(UInt32(truncatingIfNeeded: number)) }
        }
        return ids
    }

    // MARK: queries

    /// The serialized answer to a query frame.
    private func answer(_ frame: GatewayFrame) -> [UInt8] {
        switch frame.command {
        case .getSessionByClientId:
            guard let record = clients[frame.connectionID] else { return PHPSerialization.serialize(.null) }
            return record.session.isEmpty ? PHPSerialization.serialize(PHPArray()) : record.session
        case .getAllClientSessions:
            return PHPSerialization.serialize(sessions(of: clients.keys.sorted()))
        case .getClientSessionsByGroup:
            return PHPSerialization.serialize(sessions(of: (groupClients[frame.extText] ?? []).sorted()))
        case .isOnline:
            return PHPSerialization.serialize(.int(clients[frame.connectionID] == nil ? 0 : 1))
        case .getClientCountByGroup:
            let group = frame.extText
            return PHPSerialization.serialize(.int(group.isEmpty ? clients.count : groupClients[group]?.count ?? 0))
        case .getClientIdByUid:
            let ids = (uidClients[frame.extText] ?? []).sorted().map { PHPValue.int(Int($0)) }
            return PHPSerialization.serialize(.array(PHPArray(list: ids)))
        case .batchGetClientIdByUid:
            var result = PHPArray()
            for uid in (try? PHPJSON.decode(frame.extText))?.array?.orderedValues ?? [] {
                let ids = (uidClients[uid.stringValue] ?? []).sorted().map { PHPValue.int(Int($0)) }
                result[PHPKey(uid.stringValue)] = .array(PHPArray(list: ids))
            }
            return PHPSerialization.serialize(.array(result))
        case .batchGetClientCountByGroup:
            var result = PHPArray()
            for group in (try? PHPJSON.decode(frame.extText))?.array?.orderedValues ?? [] {
                result[PHPKey(group.stringValue)] = .int(groupClients[group.stringValue]?.count ?? 0)
            }
            return PHPSerialization.serialize(.array(result))
        case .getGroupIdList:
            return PHPSerialization.serialize(.array(PHPArray(list: groupClients.keys.sorted().map { .string($0) })))
        case .select:
            return PHPSerialization.serialize(.array(select(frame.extText)))
        default:
            return PHPSerialization.serialize(.null)
        }
    }

    private func sessions(of ids: [UInt32]) -> PHPValue {
        var result = PHPArray()
        for id in ids {
            guard let record = clients[id] else { continue }
            result[.int(Int(id))] = .string(String(decoding: record.session, as: UTF8.self))
        }
        return .array(result)
    }

    /// GatewayWorker's `CMD_SELECT`: `{"fields":[...],"where":{"groups":[...],"uid":[...],"connection_id":[...]}}`
    /// answered with connection id -> field -> value (`uid`, `groups` as a map, `session` serialized).
    private func select(_ json: String) -> PHPArray {
        guard let query = (try? PHPJSON.decode(json))?.array else { return PHPArray() }
        let fields = query["fields"]?.array?.orderedValues.map(\.stringValue) ?? []
        var matched: [UInt32] = []
        if let conditions = query["where"]?.array, !conditions.isEmpty {
            var seen = Set<UInt32>()
            for (key, items) in conditions {
                let values = items.array?.orderedValues ?? []
                switch key.description {
                case "groups": for group in values { matched += (groupClients[group.stringValue] ?? []).sorted() }
                case "uid": for uid in values { matched += (uidClients[uid.stringValue] ?? []).sorted() }
                case "connection_id":
                    matched += values.compactMap(\.int).map { UInt32(truncatingIfNeeded: $0) }.filter {
                        clients[$0] != nil
                    }
                default: continue
                }
            }
            matched = matched.filter { seen.insert($0).inserted }
        } else {
            matched = clients.keys.sorted()
        }
        var result = PHPArray()
        for id in matched {
            guard let record = clients[id] else { continue }
            var info = PHPArray()
            for field in fields {
                switch field {
                case "uid": info[PHPKey(field)] = record.uid.map { .string($0) } ?? .null
                case "groups":
                    info[PHPKey(field)] =
                        record.groups.isEmpty
                        ? .null : .array(PHPArray(record.groups.map { (PHPKey($0), .string($0)) }))
                case "session": info[PHPKey(field)] = .string(String(decoding: record.session, as: UTF8.self))
                default: info[PHPKey(field)] = .null
                }
            }
            result[.int(Int(id))] = .array(info)
        }
        return result
    }
}
