public import Logging
import PostgresNIO

extension PostgresStore {
    /// Creates an empty database on the server of `url` (connected to the database the URL
    /// names, usually `postgres`), for setup scripts and tests that give each run its own.
    ///
    /// ```swift
    /// try await PostgresStore.createDatabase(named: "coccd_test_1", url: "postgres://admin:pw@127.0.0.1/postgres", logger: logger)
    /// ```
    /// The name must be a plain identifier (letters, digits, `_`): CREATE DATABASE takes no
    /// parameter, so the name is checked, then quoted, never passed through as given.
    public static func createDatabase(named name: String, url: String, logger: Logger) async throws {
        try await administer("CREATE DATABASE", name: name, url: url, logger: logger)
    }

    /// Drops a database (``createDatabase(named:url:logger:)``'s), closing its connections first.
    public static func dropDatabase(named name: String, url: String, logger: Logger) async throws {
        try await administer("DROP DATABASE IF EXISTS", name: name, url: url, logger: logger, suffix: " WITH (FORCE)")
    }

    private static func administer(_ command: String, name: String, url: String, logger: Logger, suffix: String = "") async throws {
        let location = try PostgresURL(parsing: url)
        guard let first = name.unicodeScalars.first, first == "_" || ("a"..."z").contains(first),
            name.unicodeScalars.allSatisfy({ $0 == "_" || ("a"..."z").contains($0) || ("0"..."9").contains($0) }), name.count <= 63
        else {
            throw PostgresStoreError(
                endpoint: location.description, operation: command, message: "a database name here is lower-case letters, digits and _")
        }
        let tls: PostgresConnection.Configuration.TLS
        do {
            tls = try location.tlsSettings().connection
        } catch {
            throw PostgresStoreError(endpoint: location.description, operation: "set up TLS", message: String(describing: error))
        }
        var configuration = PostgresConnection.Configuration(
            host: location.host, port: location.port, username: location.user, password: location.password, database: location.database,
            tls: tls)
        configuration.options.connectTimeout = .seconds(location.connectTimeout.components.seconds)
        let connection = try await connect(configuration, location: location, logger: logger)
        do {
            try await connection.run(PostgresQuery(unsafeSQL: "\(command) \"\(name)\"\(suffix)"), logger)
            try? await connection.close()
        } catch {
            try? await connection.close()
            throw PostgresStoreError.wrapping(error, endpoint: location.description, operation: command.lowercased())
        }
    }
}
