/// Encodes and decodes as the JSON shape of the value (bytes as an array of numbers), so a `Value`
/// sits inside any `Codable` type and converts to and from JSON with Foundation's coders.
extension Value: Codable {
    /// Decodes whatever single value, list or keyed container the decoder holds.
    public init(from decoder: any Decoder) throws {
        if let keyed = try? decoder.container(keyedBy: MemberKey.self) {
            var members: [String: Value] = [:]
            for key in keyed.allKeys { members[key.stringValue] = try keyed.decode(Value.self, forKey: key) }
            self = .object(members)
        } else if var list = try? decoder.unkeyedContainer() {
            var elements: [Value] = []
            while !list.isAtEnd { elements.append(try list.decode(Value.self)) }
            self = .array(elements)
        } else {
            let single = try decoder.singleValueContainer()
            if single.decodeNil() {
                self = .null
            } else if let flag = try? single.decode(Bool.self) {
                self = .bool(flag)
            } else if let number = try? single.decode(Int64.self) {
                self = .int(number)
            } else if let number = try? single.decode(Double.self) {
                self = .double(number)
            } else {
                self = .string(try single.decode(String.self))
            }
        }
    }

    /// Encodes as null, a boolean, a number, a string, a list or a keyed container.
    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .array(let elements):
            var list = encoder.unkeyedContainer()
            for element in elements { try list.encode(element) }
        case .object(let members):
            var keyed = encoder.container(keyedBy: MemberKey.self)
            for (key, member) in members { try keyed.encode(member, forKey: MemberKey(key)) }
        case .bytes(let bytes):
            var list = encoder.unkeyedContainer()
            for byte in bytes { try list.encode(byte) }
        default:
            var single = encoder.singleValueContainer()
            switch self {
            case .bool(let flag): try single.encode(flag)
            case .int(let number): try single.encode(number)
            case .double(let number): try single.encode(number)
            case .string(let text): try single.encode(text)
            default: try single.encodeNil()
            }
        }
    }

    private struct MemberKey: CodingKey {
        let stringValue: String
        var intValue: Int? { nil }
        init(_ name: String) { stringValue = name }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}
