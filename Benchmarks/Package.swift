// swift-tools-version:6.0
// Separate benchmark package: keeps the swift-nio dependency out of the main package.
import PackageDescription

let package = Package(
    name: "Benchmarks",
    products: [
        .executable(name: "nio-line-echo", targets: ["NIOLineEcho"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
    ],
    targets: [
        .executableTarget(
            name: "NIOLineEcho",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
