public import CoccStorage
import Foundation
import Logging
import PostgresNIO
import Synchronization

/// The production store on PostgreSQL, through postgres-nio's connection pool: the same contract
/// as `SQLiteStore` (``DataStore``), table for table and column for column, so that several coccd
/// nodes can share one database and an operator's reports read either.
///
/// ```swift
/// let store = try await PostgresStore.open(url: "postgres://coccd:secret@db.example/coccd?sslmode=verify-full", logger: logger)
/// let center = try await CallCenter(store: store, switch: pbx)
/// ...
/// try await store.close()
/// ```
/// What differs from SQLite, by design: timestamps are `timestamptz` (microseconds); event ids
/// come from the `event_sequence` row of the team, locked by the append's transaction; each
/// append and each directory change also `NOTIFY` (`coccd_events` with the team id,
/// `coccd_directory`), and ``directoryChangeSignals()`` listens, so a provisioning change
/// reaches every node at once instead of at its next poll.
public final class PostgresStore: DataStore, Sendable {
    let client: PostgresClient
    let location: PostgresURL
    /// For connections of our own beside the pool: the directory listener's.
    let connectionConfiguration: PostgresConnection.Configuration
    let logger: Logger
    /// The pool's `run()`; see ``open(url:logger:)`` for why the store owns it.
    private let poolTask: Task<Void, Never>
    let listeners = Mutex(Listeners())
    /// The connection that holds the single-node lock, while this process holds it.
    let singleNodeConnection = Mutex<PostgresConnection?>(nil)

    struct Listeners {
        var tasks: [Int: Task<Void, Never>] = [:]
        var next = 0
        var closed = false
    }

    init(
        client: PostgresClient, poolTask: Task<Void, Never>, location: PostgresURL,
        connectionConfiguration: PostgresConnection.Configuration, logger: Logger
    ) {
        self.client = client
        self.poolTask = poolTask
        self.location = location
        self.connectionConfiguration = connectionConfiguration
        self.logger = logger
    }

    /// "postgresql host:port/database": never the user or the password.
    public var summary: String { "postgresql \(location)" }

    /// `host:port/database`, for errors.
    var endpoint: String { location.description }

    /// `SELECT 1`, bounded: the pool waits for a connection while the server is down, and
    /// `/health` must answer meanwhile.
    public func check() async throws {
        try await withDeadline(location.connectTimeout, operation: "check") {
            _ = try await self.read("check") { connection in try await connection.rows("SELECT 1", self.logger) }
        }
    }

    /// Stops the directory listeners and shuts the pool down (its connections close). Queries
    /// after it fail with "the store is closed".
    public func close() async throws {
        let tasks = listeners.withLock { state in
            state.closed = true
            defer { state.tasks = [:] }
            return Array(state.tasks.values)
        }
        for task in tasks { task.cancel() }
        if let connection = singleNodeConnection.withLock({ $0.take() }) { try? await connection.close() }
        poolTask.cancel()
        await poolTask.value
        for task in tasks { await task.value }
    }

    /// Runs `body`, throwing ``PostgresStoreError`` "timed out" when it takes longer than `limit`.
    func withDeadline<T: Sendable>(_ limit: Duration, operation: String, _ body: @escaping @Sendable () async throws -> T) async throws -> T
    {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await body() }
            group.addTask {
                try await Task.sleep(for: limit)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let value = first else {
                throw PostgresStoreError(endpoint: endpoint, operation: operation, message: "no answer within \(limit)")
            }
            return value
        }
    }
}
