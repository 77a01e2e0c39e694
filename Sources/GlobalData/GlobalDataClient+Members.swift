/// The same calls with a dictionary of variables as the value (`["name": name, "id": id]`), as a
/// PHP array is stored: see `ValueConvertible`.
extension GlobalDataClient {
    /// `set(key, Value(members))`.
    public func set(_ key: String, _ members: [String: any ValueConvertible]) throws(GlobalDataError) {
        try set(key, Value(members))
    }

    /// `add(key, Value(members))`.
    @discardableResult
    public func add(_ key: String, _ members: [String: any ValueConvertible]) throws(GlobalDataError) -> Bool {
        try add(key, Value(members))
    }

    /// `cas(key, old, Value(members))`.
    public func cas(_ key: String, _ old: Value?, _ members: [String: any ValueConvertible]) throws(GlobalDataError)
        -> Bool
    {
        try cas(key, old, Value(members))
    }
}

extension AsyncGlobalDataClient {
    /// `set(key, Value(members), completion)`.
    public func set(
        _ key: String, _ members: [String: any ValueConvertible],
        _ completion: @escaping (Result<Void, GlobalDataError>) -> Void = { _ in }
    ) {
        set(key, Value(members), completion)
    }

    /// `add(key, Value(members), completion)`.
    public func add(
        _ key: String, _ members: [String: any ValueConvertible],
        _ completion: @escaping (Result<Bool, GlobalDataError>) -> Void
    ) {
        add(key, Value(members), completion)
    }

    /// `cas(key, old, Value(members), completion)`.
    public func cas(
        _ key: String, _ old: Value?, _ members: [String: any ValueConvertible],
        _ completion: @escaping (Result<Bool, GlobalDataError>) -> Void
    ) {
        cas(key, old, Value(members), completion)
    }
}
