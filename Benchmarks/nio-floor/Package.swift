// swift-tools-version:6.0
// The SwiftNIO floor for Benchmarks/soap_benchmark.sh (not part of coccd): an HTTP/1 server that
// answers every request with one fixed SOAP envelope, doing nothing else. Its CPU per request is
// what SwiftNIO's HTTP/1 server costs on this machine before any work of coccd's.
import PackageDescription

let package = Package(
    name: "nio-floor",
    dependencies: [.package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2")],
    targets: [
        .executableTarget(
            name: "nio-floor",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ])
    ]
)
