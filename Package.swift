// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "swift-workerman",
    products: [
        .library(name: "Workerman", targets: ["Workerman"]),
        .library(name: "WorkerCore", targets: ["WorkerCore"]),
        .library(name: "Protocols", targets: ["Protocols"]),
        .library(name: "Timer", targets: ["Timer"]),
        .library(name: "TLS", targets: ["TLS"]),
        .library(name: "Channel", targets: ["Channel"]),
        .library(name: "GlobalData", targets: ["GlobalData"]),
        .executable(name: "text-echo", targets: ["TextEcho"]),
        .executable(name: "hello", targets: ["Hello"]),
        .executable(name: "tcp-proxy", targets: ["TcpProxy"]),
        .executable(name: "counter", targets: ["Counter"]),
        .executable(name: "group-push", targets: ["GroupPush"]),
        .executable(name: "uid-push", targets: ["UidPush"]),
        .executable(name: "cluster-push", targets: ["ClusterPush"]),
        .executable(name: "chat", targets: ["Chat"]),
        .executable(name: "ws-echo", targets: ["WsEcho"]),
        .executable(name: "http-server", targets: ["HttpServer"]),
    ],
    targets: [
        // Linux APIs Swift cannot import on its own: epoll, eventfd, signalfd, accept4, wait-status macros.
        .systemLibrary(name: "CEpoll", path: "Sources/CEpoll"),
        .target(name: "Timer", dependencies: ["CEpoll"]),
        .target(name: "WorkerCore", dependencies: ["CEpoll", "Timer"]),
        // Registers the built-in protocols by scheme name when the program loads (see its header).
        .target(name: "CBuiltinProtocols", path: "Sources/CBuiltinProtocols"),
        // The system's OpenSSL, for the ssl transport (https, wss, TLS text and frame).
        .systemLibrary(name: "COpenSSL", path: "Sources/COpenSSL"),
        // Installs the TLS module's default client context when the program loads (see its header).
        .target(name: "CTLSDefaults", path: "Sources/CTLSDefaults"),
        .target(name: "TLS", dependencies: ["WorkerCore", "COpenSSL", "CTLSDefaults"]),
        // The system's zlib, for WebSocket permessage-deflate.
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),
        .target(name: "Protocols", dependencies: ["WorkerCore", "CBuiltinProtocols", "CZlib"]),
        // What Channel and GlobalData share: the Value type, MessagePack, blocking frame sockets.
        .target(name: "ComponentWire", dependencies: ["WorkerCore"]),
        .target(name: "Channel", dependencies: ["WorkerCore", "Protocols", "Timer", "ComponentWire"]),
        .target(name: "GlobalData", dependencies: ["WorkerCore", "Protocols", "Timer", "ComponentWire"]),
        // Everything but TLS, which programs that serve or dial https/wss/ssl add (and so link OpenSSL).
        .target(name: "Workerman", dependencies: ["WorkerCore", "Protocols", "Timer", "Channel", "GlobalData"]),
        .executableTarget(name: "TextEcho", dependencies: ["Workerman"], path: "Sources/Examples/TextEcho"),
        .executableTarget(name: "WsEcho", dependencies: ["Workerman", "TLS"], path: "Sources/Examples/WsEcho"),
        .executableTarget(
            name: "HttpServer", dependencies: ["Workerman", "TLS"], path: "Sources/Examples/HttpServer",
            exclude: ["public"]),
        .executableTarget(name: "TcpProxy", dependencies: ["Workerman"], path: "Sources/Examples/TcpProxy"),
        .executableTarget(name: "Counter", dependencies: ["Workerman"], path: "Sources/Examples/Counter"),
        .executableTarget(name: "GroupPush", dependencies: ["Workerman"], path: "Sources/Examples/GroupPush"),
        .executableTarget(name: "UidPush", dependencies: ["Workerman"], path: "Sources/Examples/UidPush"),
        .executableTarget(name: "ClusterPush", dependencies: ["Workerman"], path: "Sources/Examples/ClusterPush"),
        .executableTarget(name: "Chat", dependencies: ["Workerman"], path: "Sources/Examples/Chat"),
        // The README's ten-line server, built so that it cannot rot.
        .executableTarget(name: "Hello", dependencies: ["Workerman"], path: "Sources/Examples/Hello"),
        // The plaintext HTTP server of `Benchmarks/run.sh http`.
        .executableTarget(name: "http-hello", dependencies: ["Workerman"], path: "Benchmarks/HttpHello"),
        // The same over TLS, for `Benchmarks/run.sh https`.
        .executableTarget(name: "https-hello", dependencies: ["Workerman", "TLS"], path: "Benchmarks/HttpsHello"),
        // Does a large timer queue slow the loop? Run by `Benchmarks/run.sh timers`.
        .executableTarget(name: "timer-bench", dependencies: ["Timer", "WorkerCore"], path: "Benchmarks/TimerBench"),
        // A server the process-model tests start, stop, reload and patch.
        .executableTarget(
            name: "probe-server", dependencies: ["Workerman", "TLS"], path: "Tests/Fixtures/ProbeServer"),
        // The Channel and GlobalData tests' server process (a Channel server, GlobalData server, workers).
        .executableTarget(
            name: "channel-probe", dependencies: ["Workerman", "Channel", "GlobalData"],
            path: "Tests/Fixtures/ChannelProbe"),
        // A ws/wss client process for the WebSocket-over-TLS tests.
        .executableTarget(
            name: "probe-ws-client", dependencies: ["Workerman", "TLS"], path: "Tests/Fixtures/WsClient"),
        // Test peers shared by the test targets: blocking socket clients, a client thread, a server process.
        .target(name: "TestSupport", dependencies: ["WorkerCore"], path: "Tests/TestSupport"),
        .testTarget(name: "TimerTests", dependencies: ["Timer"]),
        .testTarget(name: "WorkerCoreTests", dependencies: ["Workerman", "TLS", "TestSupport"]),
        .testTarget(name: "ProtocolsTests", dependencies: ["Workerman", "TestSupport"]),
        .testTarget(name: "IntegrationTests", dependencies: ["Workerman", "TestSupport"]),
        .testTarget(name: "ChannelTests", dependencies: ["Workerman", "Channel", "GlobalData", "TestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
