public import Logging
import NIOCore
import NIOSSL
import PostgresNIO
import Synchronization

extension PostgresStore {
    /// Connects, migrates the schema and starts the connection pool.
    ///
    /// ```swift
    /// let store = try await PostgresStore.open(url: "postgres://coccd:secret@127.0.0.1:5432/coccd?sslmode=disable", logger: logger)
    /// ```
    /// The first connection is made directly, not through the pool, and bounded by the URL's
    /// `connect_timeout` (5 s): the pool retries a failing server quietly, while an operator
    /// starting coccd against a wrong address or password must hear so at once, with the
    /// server's reason. That connection runs the migrations, then closes.
    ///
    /// The store owns the task that runs the pool (`PostgresClient.run()`), rather than handing
    /// the client to a ServiceGroup: the pool must run before the engine first reads the
    /// directory (which happens before any service starts), and the CLI's commands use the store
    /// without a ServiceGroup at all. ``close()`` cancels it.
    public static func open(url: String, logger: Logger) async throws -> PostgresStore {
        let location = try PostgresURL(parsing: url)
        let endpoint = location.description
        let tls: (client: PostgresClient.Configuration.TLS, connection: PostgresConnection.Configuration.TLS)
        do {
            tls = try location.tlsSettings()
        } catch {
            throw PostgresStoreError(endpoint: endpoint, operation: "set up TLS", message: String(describing: error))
        }
        var connectionConfiguration = PostgresConnection.Configuration(
            host: location.host, port: location.port, username: location.user, password: location.password,
            database: location.database, tls: tls.connection)
        connectionConfiguration.options.connectTimeout = .seconds(location.connectTimeout.components.seconds)

        let first = try await connect(connectionConfiguration, location: location, logger: logger)
        do {
            try await migrate(first, endpoint: endpoint, logger: logger)
        } catch {
            try? await first.close()
            throw error
        }
        try? await first.close()

        var configuration = PostgresClient.Configuration(
            host: location.host, port: location.port, username: location.user, password: location.password,
            database: location.database, tls: tls.client)
        configuration.options.maximumConnections = location.maximumConnections
        configuration.options.connectTimeout = location.connectTimeout
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        // Returns once the task runs, so that the first lease does not find the pool idle
        // (postgres-nio warns then, and the request waits for the task anyway).
        let (started, running) = AsyncStream.makeStream(of: Void.self)
        let poolTask = Task {
            running.finish()
            await client.run()
        }
        for await _ in started {}
        logger.info("postgresql store open", metadata: ["store": "\(endpoint)", "pool": "\(location.maximumConnections)"])
        return PostgresStore(
            client: client, poolTask: poolTask, location: location, connectionConfiguration: connectionConfiguration, logger: logger)
    }

    /// One connection of our own, bounded by the connect timeout (the TCP connect has its own
    /// timeout; a server that accepts and then says nothing is bounded here).
    static func connect(_ configuration: PostgresConnection.Configuration, location: PostgresURL, logger: Logger) async throws
        -> PostgresConnection
    {
        let endpoint = location.description
        let limit = location.connectTimeout
        do {
            return try await withThrowingTaskGroup(of: PostgresConnection?.self) { group in
                group.addTask {
                    try await PostgresConnection.connect(configuration: configuration, id: Self.connectionIDs.next(), logger: logger)
                }
                group.addTask {
                    try await Task.sleep(for: limit)
                    return nil
                }
                let first = try await group.next()
                group.cancelAll()
                if let connection = first ?? nil { return connection }
                // Timed out: a connection that still comes must be closed, not dropped.
                while let late = try? await group.next() { try? await late?.close() }
                throw PostgresStoreError(endpoint: endpoint, operation: "connect", message: "no answer within \(limit)")
            }
        } catch {
            throw PostgresStoreError.wrapping(error, endpoint: endpoint, operation: "connect")
        }
    }

    /// Ids for our own connections' log lines, apart from the pool's.
    static let connectionIDs = ConnectionIDs()
}

/// Ids for connections made outside the pool.
final class ConnectionIDs: Sendable {
    private let counter = Mutex(1_000_000)
    func next() -> Int {
        counter.withLock { value in
            value += 1
            return value
        }
    }
}

extension PostgresURL {
    /// TLS for the pool (a configuration) and for a single connection (a context).
    func tlsSettings() throws -> (client: PostgresClient.Configuration.TLS, connection: PostgresConnection.Configuration.TLS) {
        var tls = TLSConfiguration.makeClientConfiguration()
        switch sslMode {
        case .disable:
            return (.disable, .disable)
        case .allow, .prefer:
            // Opportunistic encryption, as libpq's prefer: nothing is verified.
            tls.certificateVerification = .none
            return (.prefer(tls), .prefer(try NIOSSLContext(configuration: tls)))
        case .require, .verifyCA, .verifyFull:
            tls.certificateVerification = sslMode == .verifyFull ? .fullVerification : .noHostnameVerification
            if let sslRootCert { tls.trustRoots = .file(sslRootCert) }
            return (.require(tls), .require(try NIOSSLContext(configuration: tls)))
        }
    }
}
