/// The server's data and the operations on it. Each `apply` is one whole operation, and the server
/// runs them one at a time in its single process: every operation is atomic.
public struct GlobalDataStore {
    /// Every key and its value.
    public private(set) var values: [String: Value]
    /// True when a change has not been written to the data file yet.
    var isDirty = false

    /// A store holding `values`.
    public init(_ values: [String: Value] = [:]) { self.values = values }

    /// Applies `request`; returns the reply's result (nil for "no value": a missing key, a `set`).
    /// Throws `.notANumber` or `.overflow` for an `increment` the rules refuse (see
    /// `GlobalDataClient.increment`); nothing changes then.
    public mutating func apply(_ request: GlobalDataRequest) throws(GlobalDataError) -> Value? {
        switch request {
        case .get(let key): return values[key]
        case .set(let key, let value):
            store(value, at: key)
            return nil
        case .isset(let key): return .bool(values[key] != nil)
        case .unset(let key):
            let existed = values.removeValue(forKey: key) != nil
            isDirty = isDirty || existed
            return .bool(existed)
        case .add(let key, let value):
            guard values[key] == nil else { return .bool(false) }
            store(value, at: key)
            return .bool(true)
        case .cas(let key, let expected, let new):
            guard values[key] == expected else { return .bool(false) }
            store(new, at: key)
            return .bool(true)
        case .increment(let key, let step):
            let sum = try Self.add(step, to: values[key] ?? .int(0), key: key)
            store(sum, at: key)
            return sum
        }
    }

    private mutating func store(_ value: Value, at key: String) {
        values[key] = value
        isDirty = true
    }

    /// `current + step` by the rules of `GlobalDataClient.increment`: integers stay exact 64-bit
    /// integers and overflow is refused; a double on either side gives a double; a value that is
    /// not a number is refused.
    private static func add(_ step: Value, to current: Value, key: String) throws(GlobalDataError) -> Value {
        guard let base = current.double, let increment = step.double else {
            throw GlobalDataError(.notANumber, "increment \(key): the value \(current) is not a number")
        }
        if case .int(let left) = current, case .int(let right) = step {
            let (sum, overflow) = left.addingReportingOverflow(right)
            guard !overflow else {
                throw GlobalDataError(.overflow, "increment \(key): \(left) + \(right) is past the 64-bit range")
            }
            return .int(sum)
        }
        return .double(base + increment)
    }
}
