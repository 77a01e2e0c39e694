/// Settings a protocol keeps per Worker (`worker.http`, `worker.webSocket`): a class whose `init()`
/// gives the defaults. Each Worker holds its own instance, made on first use, so two Workers of one
/// process can differ; the protocol reads them when it makes a connection's state.
///
/// ```swift
/// final class LineSettings: WorkerSettings {
///     var maxLineLength = 1024
///     init() {}
/// }
/// extension Worker {
///     var lines: LineSettings { settings(LineSettings.self) }
/// }
/// worker.lines.maxLineLength = 80
/// ```
public protocol WorkerSettings: AnyObject {
    /// The defaults.
    init()
}

extension Worker {
    /// This Worker's instance of `type`, made with its defaults on first use.
    public func settings<Settings: WorkerSettings>(_ type: Settings.Type = Settings.self) -> Settings {
        let key = ObjectIdentifier(type)
        for entry in protocolSettings where entry.type == key {
            return unsafeDowncast(entry.settings, to: Settings.self)
        }
        let made = Settings()
        protocolSettings.append((key, made))
        return made
    }
}
