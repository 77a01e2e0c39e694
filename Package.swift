// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "swift-workerman",
    products: [
        .library(name: "Workerman", targets: ["Workerman"]),
        .library(name: "WorkermanCore", targets: ["WorkermanCore"]),
        .library(name: "WorkermanProtocols", targets: ["WorkermanProtocols"]),
        .library(name: "WorkermanTimer", targets: ["WorkermanTimer"]),
        .library(name: "WorkermanTLS", targets: ["WorkermanTLS"]),
        .library(name: "WorkermanChannel", targets: ["WorkermanChannel"]),
        .library(name: "WorkermanGlobalData", targets: ["WorkermanGlobalData"]),
        .library(name: "WorkermanRedis", targets: ["WorkermanRedis"]),
        .library(name: "WorkermanGateway", targets: ["WorkermanGateway"]),
        .executable(name: "text-echo", targets: ["WorkermanExampleTextEcho"]),
        .executable(name: "hello", targets: ["WorkermanExampleHello"]),
        .executable(name: "tcp-proxy", targets: ["WorkermanExampleTcpProxy"]),
        .executable(name: "counter", targets: ["WorkermanExampleCounter"]),
        .executable(name: "group-push", targets: ["WorkermanExampleGroupPush"]),
        .executable(name: "uid-push", targets: ["WorkermanExampleUidPush"]),
        .executable(name: "cluster-push", targets: ["WorkermanExampleClusterPush"]),
        .executable(name: "chat", targets: ["WorkermanExampleChat"]),
        .executable(name: "ws-echo", targets: ["WorkermanExampleWsEcho"]),
        .executable(name: "http-server", targets: ["WorkermanExampleHttpServer"]),
        .executable(name: "gateway-chat", targets: ["WorkermanExampleGatewayChat"]),
        // Benchmark servers and test fixtures keep their short executable names; their target names
        // carry the package's prefix so that they never clash with a user's targets.
        .executable(name: "http-hello", targets: ["WorkermanBenchHttpHello"]),
        .executable(name: "https-hello", targets: ["WorkermanBenchHttpsHello"]),
        .executable(name: "text-echo-bench", targets: ["WorkermanBenchTextEcho"]),
        .executable(name: "timer-bench", targets: ["WorkermanBenchTimer"]),
        .executable(name: "redis-bench", targets: ["WorkermanBenchRedis"]),
        .executable(name: "probe-server", targets: ["WorkermanFixtureProbeServer"]),
        .executable(name: "channel-probe", targets: ["WorkermanFixtureChannelProbe"]),
        .executable(name: "probe-ws-client", targets: ["WorkermanFixtureWsClient"]),
        .executable(name: "gateway-probe", targets: ["WorkermanFixtureGatewayProbe"]),
    ],
    targets: [
        // Linux APIs Swift cannot import on its own: epoll, eventfd, signalfd, accept4, wait-status macros.
        .systemLibrary(name: "CWorkermanEpoll", path: "Sources/CEpoll"),
        .target(name: "WorkermanTimer", dependencies: ["CWorkermanEpoll"], path: "Sources/Timer"),
        .target(
            name: "WorkermanCore", dependencies: ["CWorkermanEpoll", "WorkermanTimer"], path: "Sources/WorkerCore"),
        // Registers the built-in protocols by scheme name when the program loads (see its header).
        .target(name: "CWorkermanBuiltinProtocols", path: "Sources/CBuiltinProtocols"),
        // The system's OpenSSL, for the ssl transport (https, wss, TLS text and frame).
        .systemLibrary(name: "CWorkermanOpenSSL", path: "Sources/COpenSSL"),
        // Installs the TLS module's default client context when the program loads (see its header).
        .target(name: "CWorkermanTLSDefaults", path: "Sources/CTLSDefaults"),
        .target(
            name: "WorkermanTLS", dependencies: ["WorkermanCore", "CWorkermanOpenSSL", "CWorkermanTLSDefaults"],
            path: "Sources/TLS"),
        // The system's zlib, for WebSocket permessage-deflate.
        .systemLibrary(name: "CWorkermanZlib", path: "Sources/CZlib"),
        .target(
            name: "WorkermanProtocols",
            dependencies: ["WorkermanCore", "CWorkermanBuiltinProtocols", "CWorkermanZlib"], path: "Sources/Protocols"),
        // What Channel and GlobalData share: the Value type, MessagePack, blocking frame sockets.
        .target(name: "WorkermanComponentWire", dependencies: ["WorkermanCore"], path: "Sources/ComponentWire"),
        // The asynchronous Redis client (RESP2/RESP3), its subscriber and its blocking client.
        .target(
            name: "WorkermanRedis",
            dependencies: ["WorkermanCore", "WorkermanTimer", "WorkermanProtocols", "WorkermanComponentWire"],
            path: "Sources/Redis"),
        .target(
            name: "WorkermanChannel",
            dependencies: [
                "WorkermanCore", "WorkermanProtocols", "WorkermanTimer", "WorkermanComponentWire", "WorkermanRedis",
            ],
            path: "Sources/Channel"),
        .target(
            name: "WorkermanGlobalData",
            dependencies: [
                "WorkermanCore", "WorkermanProtocols", "WorkermanTimer", "WorkermanComponentWire", "WorkermanRedis",
            ],
            path: "Sources/GlobalData"),
        // GatewayWorker: Register, Gateway, BusinessWorker and the Gateway API (wire-compatible with GatewayWorker 4).
        .target(
            name: "WorkermanGateway",
            dependencies: ["WorkermanCore", "WorkermanProtocols", "WorkermanTimer", "WorkermanComponentWire"],
            path: "Sources/Gateway"),
        // Everything but TLS, which programs that serve or dial https/wss/ssl add (and so link OpenSSL).
        .target(
            name: "Workerman",
            dependencies: [
                "WorkermanCore", "WorkermanProtocols", "WorkermanTimer", "WorkermanChannel", "WorkermanGlobalData",
            ]),
        .executableTarget(
            name: "WorkermanExampleTextEcho", dependencies: ["Workerman"], path: "Sources/Examples/TextEcho"),
        .executableTarget(
            name: "WorkermanExampleWsEcho", dependencies: ["Workerman", "WorkermanTLS"], path: "Sources/Examples/WsEcho"
        ),
        .executableTarget(
            name: "WorkermanExampleHttpServer", dependencies: ["Workerman", "WorkermanTLS"],
            path: "Sources/Examples/HttpServer",
            exclude: ["public"]),
        .executableTarget(
            name: "WorkermanExampleTcpProxy", dependencies: ["Workerman"], path: "Sources/Examples/TcpProxy"),
        .executableTarget(
            name: "WorkermanExampleCounter", dependencies: ["Workerman"], path: "Sources/Examples/Counter"),
        .executableTarget(
            name: "WorkermanExampleGroupPush", dependencies: ["Workerman"], path: "Sources/Examples/GroupPush"),
        .executableTarget(
            name: "WorkermanExampleUidPush", dependencies: ["Workerman"], path: "Sources/Examples/UidPush"),
        .executableTarget(
            name: "WorkermanExampleClusterPush", dependencies: ["Workerman"], path: "Sources/Examples/ClusterPush"),
        .executableTarget(name: "WorkermanExampleChat", dependencies: ["Workerman"], path: "Sources/Examples/Chat"),
        // Seed 003's push service on GatewayWorker's model: register, websocket gateway, business workers, HTTP push.
        .executableTarget(
            name: "WorkermanExampleGatewayChat", dependencies: ["Workerman", "WorkermanGateway", "WorkermanTLS"],
            path: "Sources/Examples/GatewayChat"),
        // The README's ten-line server, built so that it cannot rot.
        .executableTarget(name: "WorkermanExampleHello", dependencies: ["Workerman"], path: "Sources/Examples/Hello"),
        // The plaintext HTTP server of `Benchmarks/run.sh http`.
        .executableTarget(name: "WorkermanBenchHttpHello", dependencies: ["Workerman"], path: "Benchmarks/HttpHello"),
        // The README's text echo, one process, for `Benchmarks/run.sh table`.
        .executableTarget(name: "WorkermanBenchTextEcho", dependencies: ["Workerman"], path: "Benchmarks/TextEcho"),
        // The same over TLS, for `Benchmarks/run.sh https`.
        .executableTarget(
            name: "WorkermanBenchHttpsHello", dependencies: ["Workerman", "WorkermanTLS"], path: "Benchmarks/HttpsHello"
        ),
        // Does a large timer queue slow the loop? Run by `Benchmarks/run.sh timers`.
        .executableTarget(
            name: "WorkermanBenchTimer", dependencies: ["WorkermanTimer", "WorkermanCore"],
            path: "Benchmarks/TimerBench"),
        // Commands per second of the Redis client, beside redis-benchmark: `Benchmarks/run.sh redis`.
        .executableTarget(
            name: "WorkermanBenchRedis", dependencies: ["WorkermanRedis", "WorkermanCore", "WorkermanTimer"],
            path: "Benchmarks/RedisBench"),
        // A server the process-model tests start, stop, reload and patch.
        .executableTarget(
            name: "WorkermanFixtureProbeServer", dependencies: ["Workerman", "WorkermanTLS"],
            path: "Tests/Fixtures/ProbeServer"),
        // The Channel and GlobalData tests' server process (a Channel server, GlobalData server, workers).
        .executableTarget(
            name: "WorkermanFixtureChannelProbe",
            dependencies: ["Workerman", "WorkermanChannel", "WorkermanGlobalData"],
            path: "Tests/Fixtures/ChannelProbe"),
        // The Gateway tests' processes: register, text gateway, business workers (one or all roles).
        .executableTarget(
            name: "WorkermanFixtureGatewayProbe", dependencies: ["Workerman", "WorkermanGateway"],
            path: "Tests/Fixtures/GatewayProbe"),
        // A ws/wss client process for the WebSocket-over-TLS tests.
        .executableTarget(
            name: "WorkermanFixtureWsClient", dependencies: ["Workerman", "WorkermanTLS"],
            path: "Tests/Fixtures/WsClient"),
        // Test peers shared by the test targets: blocking socket clients, a client thread, a server process.
        .target(name: "WorkermanTestSupport", dependencies: ["WorkermanCore"], path: "Tests/TestSupport"),
        .testTarget(name: "WorkermanTimerTests", dependencies: ["WorkermanTimer"], path: "Tests/TimerTests"),
        .testTarget(
            name: "WorkermanCoreTests", dependencies: ["Workerman", "WorkermanTLS", "WorkermanTestSupport"],
            path: "Tests/WorkerCoreTests"),
        .testTarget(
            name: "WorkermanProtocolsTests", dependencies: ["Workerman", "WorkermanTestSupport"],
            path: "Tests/ProtocolsTests"),
        .testTarget(
            name: "WorkermanIntegrationTests", dependencies: ["Workerman", "WorkermanTestSupport"],
            path: "Tests/IntegrationTests"),
        .testTarget(
            name: "WorkermanChannelTests",
            dependencies: ["Workerman", "WorkermanChannel", "WorkermanGlobalData", "WorkermanTestSupport"],
            path: "Tests/ChannelTests"),
        .testTarget(
            name: "WorkermanRedisTests",
            dependencies: ["Workerman", "WorkermanRedis", "WorkermanTLS", "WorkermanTestSupport"],
            path: "Tests/RedisTests"),
        .testTarget(
            name: "WorkermanGatewayTests",
            dependencies: ["Workerman", "WorkermanGateway", "WorkermanTestSupport"],
            path: "Tests/GatewayTests"),
    ],
    swiftLanguageModes: [.v6]
)
