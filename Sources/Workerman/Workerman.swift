// One import for everything: `import Workerman` brings the Worker, connections, the event loop,
// the built-in protocols, Timer, Channel and GlobalData. TLS (https, wss, the ssl transport) is the
// one module apart: add `import WorkermanTLS` and the WorkermanTLS product where a program needs it, so that programs
// which do not carry no OpenSSL.
@_exported import WorkermanChannel
@_exported import WorkermanCore
@_exported import WorkermanGlobalData
@_exported import WorkermanProtocols
@_exported import WorkermanTimer
