// swift-tools-version:6.0
// Separate benchmark package: keeps the swift-nio dependency out of the main package.
import PackageDescription

let package = Package(
    name: "Benchmarks",
    products: [
        .executable(name: "nio-line-echo", targets: ["NIOLineEcho"]),
        .executable(name: "nio-http", targets: ["NIOHttp"]),
        .executable(name: "nio-https", targets: ["NIOHttps"]),
        .executable(name: "nio-websocket", targets: ["NIOWebSocketEcho"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
    ],
    targets: [
        .executableTarget(
            name: "NIOLineEcho",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .target(
            name: "NIOHelloHandler",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        .executableTarget(
            name: "NIOHttp",
            dependencies: [
                "NIOHelloHandler",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        .executableTarget(
            name: "NIOHttps",
            dependencies: [
                "NIOHelloHandler",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        .executableTarget(
            // Not "NIOWebSocket": that is the name of swift-nio's own module.
            name: "NIOWebSocketEcho",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
            ],
            path: "Sources/NIOWebSocket"
        ),
    ],
    swiftLanguageModes: [.v6]
)
