/// The command byte of a GatewayProtocol frame (GatewayWorker 4's `CMD_*` constants), open so
/// that an unknown code read from the wire is kept and refused by name.
public struct GatewayCommand: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The byte on the wire.
    public let rawValue: UInt8
    /// The command with byte `rawValue`.
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// Gateway to worker: a client connected.
    public static let onConnect = Self(rawValue: 1)
    /// Gateway to worker: a client sent a message.
    public static let onMessage = Self(rawValue: 3)
    /// Gateway to worker: a client closed.
    public static let onClose = Self(rawValue: 4)
    /// To a gateway: send the body to one client.
    public static let sendToOne = Self(rawValue: 5)
    /// To a gateway: send to all its clients, or those listed / not excluded in ext_data.
    public static let sendToAll = Self(rawValue: 6)
    /// To a gateway: close a client after its pending data (with the body as a last message).
    public static let kick = Self(rawValue: 7)
    /// To a gateway: close a client at once.
    public static let destroy = Self(rawValue: 8)
    /// To a gateway: merge ext_data (a serialized array) into a client's session.
    public static let updateSession = Self(rawValue: 9)
    /// To a gateway: reply with every client's serialized session.
    public static let getAllClientSessions = Self(rawValue: 10)
    /// To a gateway: reply 1 or 0, is the connection there.
    public static let isOnline = Self(rawValue: 11)
    /// To a gateway: bind a client to the uid in ext_data.
    public static let bindUid = Self(rawValue: 12)
    /// To a gateway: unbind a client's uid.
    public static let unbindUid = Self(rawValue: 13)
    /// To a gateway: send to every client of the uids in ext_data (a JSON list).
    public static let sendToUid = Self(rawValue: 14)
    /// To a gateway: reply with the connection ids bound to the uid in ext_data.
    public static let getClientIdByUid = Self(rawValue: 15)
    /// To a gateway: reply with uid -> connection ids for the JSON uid list in ext_data.
    public static let batchGetClientIdByUid = Self(rawValue: 16)
    /// To a gateway: add a client to the group in ext_data.
    public static let joinGroup = Self(rawValue: 20)
    /// To a gateway: remove a client from the group in ext_data.
    public static let leaveGroup = Self(rawValue: 21)
    /// To a gateway: send to the groups in ext_data (JSON `{"group":[...],"exclude":{...}}`).
    public static let sendToGroup = Self(rawValue: 22)
    /// To a gateway: reply with the sessions of a group's clients.
    public static let getClientSessionsByGroup = Self(rawValue: 23)
    /// To a gateway: reply with a group's client count (all clients for an empty group).
    public static let getClientCountByGroup = Self(rawValue: 24)
    /// To a gateway: reply with fields (uid, groups, session) of clients matching a JSON where-clause.
    public static let select = Self(rawValue: 25)
    /// To a gateway: reply with its group names.
    public static let getGroupIdList = Self(rawValue: 26)
    /// To a gateway: dissolve the group in ext_data.
    public static let ungroup = Self(rawValue: 27)
    /// To a gateway: reply with group -> count for the JSON group list in ext_data.
    public static let batchGetClientCountByGroup = Self(rawValue: 28)
    /// Worker to gateway: authenticate as a business worker (JSON body with worker_key, secret_key).
    public static let workerConnect = Self(rawValue: 200)
    /// Either way: keep the connection alive.
    public static let ping = Self(rawValue: 201)
    /// GatewayClient to gateway: authenticate (JSON body with secret_key).
    public static let gatewayClientConnect = Self(rawValue: 202)
    /// To a gateway: reply with one client's serialized session.
    public static let getSessionByClientId = Self(rawValue: 203)
    /// To a gateway: replace a client's session with ext_data.
    public static let setSession = Self(rawValue: 204)
    /// Gateway to worker: a websocket client's handshake (body: get, server, cookie arrays).
    public static let onWebSocketConnect = Self(rawValue: 205)
    /// Worker to gateway, this port's addition (PHP gateways ignore it): this worker is leaving;
    /// route nothing more to it and answer `leaveAcknowledged`.
    public static let workerLeaving = Self(rawValue: 230)
    /// Gateway to worker, this port's addition: every frame sent to the leaving worker came before this one.
    public static let leaveAcknowledged = Self(rawValue: 231)

    /// The commands a gateway answers with a reply (`N` length + serialized value).
    public var expectsReply: Bool {
        [
            Self.getAllClientSessions, .isOnline, .getClientIdByUid, .batchGetClientIdByUid,
            .getClientSessionsByGroup, .getClientCountByGroup, .select, .getGroupIdList,
            .batchGetClientCountByGroup, .getSessionByClientId,
        ].contains(self)
    }

    /// The PHP constant's name without `CMD_`, or the number.
    public var description: String {
        let names: [UInt8: String] = [
            1: "ON_CONNECT", 3: "ON_MESSAGE", 4: "ON_CLOSE", 5: "SEND_TO_ONE", 6: "SEND_TO_ALL", 7: "KICK",
            8: "DESTROY", 9: "UPDATE_SESSION", 10: "GET_ALL_CLIENT_SESSIONS", 11: "IS_ONLINE", 12: "BIND_UID",
            13: "UNBIND_UID", 14: "SEND_TO_UID", 15: "GET_CLIENT_ID_BY_UID", 16: "BATCH_GET_CLIENT_ID_BY_UID",
            20: "JOIN_GROUP", 21: "LEAVE_GROUP", 22: "SEND_TO_GROUP", 23: "GET_CLIENT_SESSIONS_BY_GROUP",
            24: "GET_CLIENT_COUNT_BY_GROUP", 25: "SELECT", 26: "GET_GROUP_ID_LIST", 27: "UNGROUP",
            28: "BATCH_GET_CLIENT_COUNT_BY_GROUP", 200: "WORKER_CONNECT", 201: "PING", 202: "GATEWAY_CLIENT_CONNECT",
            203: "GET_SESSION_BY_CLIENT_ID", 204: "SET_SESSION", 205: "ON_WEBSOCKET_CONNECT", 230: "WORKER_LEAVING",
            231: "LEAVE_ACKNOWLEDGED",
        ]
        return names[rawValue] ?? "command \(rawValue)"
    }
}
