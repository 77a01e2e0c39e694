/// A Swift value that has a `Value`: `String`, `Int`, `Double`, `Bool`, `Value` itself, and arrays,
/// string-keyed dictionaries and optionals of them (raw bytes: `.bytes(data)`).
///
/// It is what lets a dictionary of variables go where a `Value` goes, as a PHP array would:
/// ```swift
/// ChannelClient.publish("say", ["from": name, "text": text, "count": count])
/// try global.set("user:\(id)", ["name": name, "tags": tags])        // tags: [String]
/// let user = Value(["name": name, "id": id])                          // a Value to nest or keep
/// ```
/// (Channel and GlobalData take `[String: any ValueConvertible]` beside `Value`.) A literal that
/// nests mixed types with variables needs its inner part spelled as a `Value`:
/// `["user": Value(["name": name, "id": id]), "at": now]`.
public protocol ValueConvertible {
    /// This value as a `Value`.
    var asValue: Value { get }
}

extension Value: ValueConvertible {
    /// Itself.
    public var asValue: Value { self }
}

extension String: ValueConvertible {
    /// `.string(self)`.
    public var asValue: Value { .string(self) }
}

extension Substring: ValueConvertible {
    /// `.string` of its text.
    public var asValue: Value { .string(String(self)) }
}

extension Int: ValueConvertible {
    /// `.int(self)`.
    public var asValue: Value { .int(Int64(self)) }
}

extension Int64: ValueConvertible {
    /// `.int(self)`.
    public var asValue: Value { .int(self) }
}

extension Double: ValueConvertible {
    /// `.double(self)`.
    public var asValue: Value { .double(self) }
}

extension Bool: ValueConvertible {
    /// `.bool(self)`.
    public var asValue: Value { .bool(self) }
}

extension Optional: ValueConvertible where Wrapped: ValueConvertible {
    /// The wrapped value's `Value`, or `.null` for nil.
    public var asValue: Value { map(\.asValue) ?? .null }
}

extension Array: ValueConvertible where Element: ValueConvertible {
    /// `.array` of the elements' values.
    public var asValue: Value { .array(map(\.asValue)) }
}

extension Dictionary: ValueConvertible where Key == String, Value: ValueConvertible {
    /// `.object` of the members' values.
    public var asValue: WorkermanComponentWire.Value { .object(mapValues(\.asValue)) }
}

extension Value {
    /// The `Value` of `value`: `Value(name)`, `Value(count)`, `Value(tags)`.
    public init(_ value: some ValueConvertible) { self = value.asValue }

    /// An object of variables and literals alike: `Value(["name": name, "id": id])`.
    public init(_ members: [String: any ValueConvertible]) { self = .object(members.mapValues(\.asValue)) }

    /// An array of variables and literals alike: `Value([name, id, 2.5])`.
    public init(_ elements: [any ValueConvertible]) { self = .array(elements.map(\.asValue)) }
}
