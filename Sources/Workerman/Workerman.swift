// One import for everything: `import Workerman` brings the Worker, connections, the event loop,
// the built-in protocols and Timer.
@_exported import Channel
@_exported import GlobalData
@_exported import Protocols
@_exported import TLS
@_exported import Timer
@_exported import WorkerCore
