/// The status codes of a close frame (RFC 6455 §7.4) that this module sends or checks.
public enum WebSocketCloseCode {
    /// 1000: the purpose of the connection is fulfilled.
    public static let normal: UInt16 = 1000
    /// 1001: the endpoint is going away (a server shutting down, an idle timeout).
    public static let goingAway: UInt16 = 1001
    /// 1002: the peer broke the protocol.
    public static let protocolError: UInt16 = 1002
    /// 1003: a kind of data the endpoint cannot accept.
    public static let unsupportedData: UInt16 = 1003
    /// 1005: no code was received (never sent on the wire; reported when a close frame had none).
    public static let noStatusReceived: UInt16 = 1005
    /// 1007: a text message (or close reason) that is not UTF-8, or a corrupt compressed message.
    public static let invalidPayload: UInt16 = 1007
    /// 1008: a message that violates the endpoint's policy.
    public static let policyViolation: UInt16 = 1008
    /// 1009: a message larger than the endpoint accepts.
    public static let messageTooBig: UInt16 = 1009
    /// 1011: an unexpected condition on the server.
    public static let internalError: UInt16 = 1011

    /// True when `code` may appear in a close frame on the wire: the defined codes 1000-1003,
    /// 1007-1014 and the registered or private range 3000-4999 (1004-1006 and 1015 never do).
    public static func isAllowedOnWire(_ code: UInt16) -> Bool {
        switch code {
        case 1000...1003, 1007...1014, 3000...4999: return true
        default: return false
        }
    }
}
