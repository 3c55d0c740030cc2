import CoccStorage
import Logging
import PostgresNIO

/// How every operation reaches the server: a pooled connection for a read, a transaction for a
/// write, and errors turned into ``PostgresStoreError`` (which never carries a bound value).
extension PostgresStore {
    /// One pooled connection, outside a transaction (each statement is its own). Under a
    /// ``StoreFence`` (a team's journal on a node of a cluster) it is a fenced transaction.
    func read<T: Sendable>(_ operation: String, _ body: (PostgresConnection) async throws -> T) async throws -> T {
        if StoreFence.current != nil { return try await transaction(operation, body) }
        do {
            return try await client.withConnection { connection in try await body(connection) }
        } catch {
            throw PostgresStoreError.wrapping(error, endpoint: endpoint, operation: operation)
        }
    }

    /// `body` in one transaction on one pooled connection: committed when it returns, rolled back
    /// when it throws (its error is rethrown as it was, so a ``DirectoryAdminError`` stays one).
    /// postgres-nio's own `withTransaction` wraps every error in a `PostgresTransactionError`.
    /// Under a ``StoreFence`` the team's lease is checked (and share-locked) first: a write of a
    /// team this node no longer owns fails with ``StoreFenceError`` and changes nothing.
    func transaction<T: Sendable>(
        _ operation: String, begin: PostgresQuery = "BEGIN", _ body: (PostgresConnection) async throws -> T
    ) async throws -> T {
        let logger = self.logger
        do {
            return try await client.withConnection { connection in
                try await connection.query(begin, logger: logger)
                do {
                    if let fence = StoreFence.current { try await checkFence(fence, on: connection) }
                    let value = try await body(connection)
                    try await connection.query("COMMIT", logger: logger)
                    return value
                } catch {
                    do {
                        try await connection.query("ROLLBACK", logger: logger)
                    } catch {
                        // A connection whose transaction state is unknown must not serve anyone
                        // else: closed, the pool replaces it.
                        let _: EventLoopFuture<Void> = connection.close()
                    }
                    throw error
                }
            }
        } catch {
            throw PostgresStoreError.wrapping(error, endpoint: endpoint, operation: operation)
        }
    }

    /// A statement the store itself composes, on a pooled connection: maintenance, and tests
    /// that reach behind the protocol (ending a listener's connection to watch it reconnect).
    func execute(unsafeSQL sql: String, operation: String) async throws {
        try await read(operation) { connection in try await connection.run(PostgresQuery(unsafeSQL: sql), logger) }
    }

    /// A consistent read of several tables (the directory and its revision): one snapshot.
    /// Never fenced: it writes nothing, and `FOR SHARE` is refused in a read-only transaction.
    func snapshot<T: Sendable>(_ operation: String, _ body: (PostgresConnection) async throws -> T) async throws -> T {
        try await StoreFence.$current.withValue(nil) {
            try await transaction(operation, begin: "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", body)
        }
    }
}

extension PostgresConnection {
    /// Every row of a query.
    func rows(_ query: PostgresQuery, _ logger: Logger) async throws -> [PostgresRow] {
        try await self.query(query, logger: logger).collect()
    }

    /// Runs a statement whose rows, if any, do not matter.
    func run(_ query: PostgresQuery, _ logger: Logger) async throws {
        _ = try await self.query(query, logger: logger).collect()
    }

    /// The first column of the first row, or nil without rows (or with NULL there).
    func value<T: PostgresDecodable>(_ type: T.Type, _ query: PostgresQuery, _ logger: Logger) async throws -> T?
    where T._DecodableType == T {
        guard let row = try await rows(query, logger).first else { return nil }
        return try row.decode(T?.self)
    }

    /// Every row of a prepared statement, decoded.
    func all<Statement: PostgresPreparedStatement>(_ statement: Statement, _ logger: Logger) async throws -> [Statement.Row] {
        var result: [Statement.Row] = []
        for try await row in try await execute(statement, logger: logger) { result.append(row) }
        return result
    }

    /// Runs a prepared statement whose rows, if any, do not matter. (postgres-nio's overload
    /// that answers the command tag traps unless the rows were consumed first.)
    func perform<Statement: PostgresPreparedStatement>(_ statement: Statement, _ logger: Logger) async throws {
        for try await _ in try await execute(statement, logger: logger) {}
    }
}

extension PostgresBindings {
    /// Bindings in one expression: `.of(a, b, c)`.
    static func of(_ values: any PostgresDynamicTypeEncodable...) -> PostgresBindings {
        var bindings = PostgresBindings(capacity: values.count)
        for value in values { bindings.append(value) }
        return bindings
    }
}
