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
    public mutating func apply(_ request: GlobalDataRequest) -> Value? {
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
            guard let current = values[key] else { return nil }
            let sum = Self.add(step, to: current)
            store(sum, at: key)
            return sum
        }
    }

    private mutating func store(_ value: Value, at key: String) {
        values[key] = value
        isDirty = true
    }

    /// `current + step`: integers stay integers (wrapping to a double on overflow), a double on
    /// either side gives a double, a non-numeric current value counts as 0 (as Workerman's).
    private static func add(_ step: Value, to current: Value) -> Value {
        let base: Value = current.double == nil ? .int(0) : current
        if case .int(let left) = base, case .int(let right) = step {
            let (sum, overflow) = left.addingReportingOverflow(right)
            return overflow ? .double(Double(left) + Double(right)) : .int(sum)
        }
        return .double((base.double ?? 0) + (step.double ?? 0))
    }
}
