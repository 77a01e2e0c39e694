import WorkermanCore

/// The schemes this module provides, registered when a program that links it loads (a constructor
/// in CBuiltinProtocols calls `workerman_register_builtin_protocols`), so `Worker("text://...")`
/// works with no set-up call.
public enum BuiltinProtocols {
    /// Scheme names and their protocols.
    public static var all: [(scheme: String, type: any StatefulWireProtocol.Type)] {
        [
            ("text", Text.self),
            ("frame", Frame.self),
            ("http", Http.self),
            ("websocket", WebSocket.self),
            ("ws", Ws.self),
        ]
    }

    /// Registers every built-in scheme (again); a user registration made later still wins.
    public static func register() {
        for (scheme, type) in all { ProtocolRegistry.register(type, as: scheme) }
    }
}

/// Called by CBuiltinProtocols' load-time constructor: the schemes, and the sweep of the temporary
/// uploads that dead processes left, at each worker process's start.
@_cdecl("workerman_register_builtin_protocols")
public func workermanRegisterBuiltinProtocols() {
    BuiltinProtocols.register()
    ProcessSlot.onStart { UploadDirectory.sweepAtStart($0) }
}
