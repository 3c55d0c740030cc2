// swift-tools-version:6.1
import PackageDescription

// Upcoming features the project follows, as Hummingbird and swift-nio do.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "coccd",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "coccd", targets: ["coccd"])
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", exact: "2.28.1"),
        .package(url: "https://github.com/groue/GRDB.swift.git", exact: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.3"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/hummingbird-project/swift-websocket.git", from: "1.6.2"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-async-algorithms.git", from: "1.1.4"),
    ],
    targets: [
        // The system libxml2, through a shim that hides its ICU headers from Foundation's.
        .systemLibrary(name: "CLibXML2", pkgConfig: "libxml-2.0", providers: [.apt(["libxml2-dev"])]),
        // Wire-independent vocabulary: operation descriptors, replies, the BackMsg table.
        .target(name: "CoccOperations", swiftSettings: swiftSettings),
        // The telephony boundary: the Switch protocol and its types, which every driver implements.
        .target(name: "CoccSwitch", swiftSettings: swiftSettings),
        // The embedded simulated switch: the default for --demo and for tests.
        .target(name: "CoccSimulator", dependencies: ["CoccSwitch"], swiftSettings: swiftSettings),
        // The Asterisk driver: the Switch protocol over ARI (REST through AsyncHTTPClient, events
        // through swift-websocket's client), a Service that connects and reconnects.
        .target(
            name: "CoccAsterisk",
            dependencies: [
                "CoccSwitch",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "WSClient", package: "swift-websocket"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        // The storage boundary: what coccd keeps (directory, sessions, the event log, calls,
        // delivery, campaigns) as protocols by concern and their record types; no SQL type.
        .target(name: "CoccStorage", dependencies: ["CoccOperations"], swiftSettings: swiftSettings),
        // The call-center engine: directory, authentication, agent sessions and their state.
        .target(
            name: "CoccEngine",
            dependencies: [
                "CoccOperations", "CoccSwitch", "CoccStorage",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        // SQLite persistence through GRDB.
        .target(
            name: "CoccStore",
            dependencies: [
                "CoccEngine", "CoccStorage", .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ],
            swiftSettings: swiftSettings
        ),
        // PostgreSQL persistence through postgres-nio: the production store beside SQLite.
        .target(
            name: "CoccPostgres",
            dependencies: [
                "CoccStorage", "CoccOperations", .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"), .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: swiftSettings
        ),
        // Provisioning above the stores: passwords hashed, directory files and the demo team,
        // written through DirectoryProvisioningStore to whichever store is open.
        .target(name: "CoccProvisioning", dependencies: ["CoccEngine", "CoccStorage"], swiftSettings: swiftSettings),
        // Outbound campaigns: customer import (importWS: data, http and ftp CSV), the pre-dial
        // list and the progressive dialer.
        .target(
            name: "CoccCampaigns",
            dependencies: [
                "CoccEngine", "CoccStorage", "CoccOperations",
                .product(name: "Logging", package: "swift-log"), .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // Several nodes on one PostgreSQL: team leases with epoch fencing, where each team's
        // request is served, forwarding to the owner (AsyncHTTPClient) and the node's clock.
        .target(
            name: "CoccCluster",
            dependencies: [
                "CoccEngine", "CoccStorage", "CoccOperations",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "AsyncAlgorithms", package: "swift-async-algorithms"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        // SOAP envelopes (libxml2), replies, faults and the WSDL generated from the catalogue.
        .target(name: "CoccSOAP", dependencies: ["CLibXML2", "CoccOperations"], swiftSettings: swiftSettings),
        // The one operation catalogue: every operation's wire names, parameters and handler.
        .target(
            name: "CoccCatalogue",
            dependencies: [
                "CoccOperations", "CoccEngine", "CoccStorage", "CoccCampaigns", .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // The Hummingbird application: SOAP, HTTP form and CJI adapters, assets, metrics. It
        // does not depend on CoccStore: it reaches the store only through CoccStorage's protocols.
        .target(
            name: "CoccServer",
            dependencies: [
                "CoccOperations", "CoccEngine", "CoccStorage", "CoccSOAP", "CoccCatalogue", "CoccSwitch", "CoccSimulator", "CoccCampaigns",
                "CoccCluster",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            // The pages are compiled into the binary (PackageResources), so a deployed coccd is
            // one file with no resource bundle to ship beside it.
            resources: [
                "index.html", "desk.html", "desk.js", "wallboard.html", "wallboard.js", "simulator.html", "simulator.js",
                "start.js", "cocc-pages.js", "cocc.css",
            ]
            .map { .embedInCode("Pages/\($0)") },
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "coccd",
            dependencies: [
                "CoccServer", "CoccAsterisk", "CoccEngine", "CoccStorage", "CoccStore", "CoccOperations", "CoccSOAP", "CoccCatalogue",
                "CoccSwitch", "CoccPostgres", "CoccProvisioning", "CoccCluster",
                "CoccSimulator",
                "CoccCampaigns",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // The call-engine benchmark (not a test); see Benchmarks/call_benchmark.sh.
        .executableTarget(
            name: "CallBenchmark",
            dependencies: [
                "CoccEngine", "CoccStorage", "CoccStore", "CoccProvisioning", "CoccSwitch", "CoccSimulator",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/CallBenchmark",
            swiftSettings: swiftSettings
        ),
        // The switch benchmark: simulator and Asterisk, one workload; see Benchmarks/asterisk_benchmark.sh.
        .executableTarget(
            name: "AsteriskBenchmark",
            dependencies: [
                "CoccEngine", "CoccStorage", "CoccStore", "CoccProvisioning", "CoccSwitch", "CoccSimulator", "CoccAsterisk",
                "CoccOperations",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/AsteriskBenchmark",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CoccdTests",
            dependencies: [
                "CoccServer", "CoccAsterisk", "CoccEngine", "CoccStorage", "CoccStore", "CoccOperations", "CoccSOAP", "CoccCatalogue",
                "CoccSwitch", "CoccPostgres", "CoccProvisioning", "CoccCluster",
                "CoccSimulator",
                "CoccCampaigns",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
