import CoccStorage
import PostgresNIO

/// Why the PostgreSQL store failed: where (host, port, database), doing what, and the server's
/// own message and SQLSTATE when it sent one. Never a credential and never a bound value: it is
/// built from a `PSQLError`'s parts, not from `String(reflecting:)`, which prints the query and
/// its bindings.
///
/// ```swift
/// do { _ = try await PostgresStore.open(url: url, logger: logger) } catch let error as PostgresStoreError {
///     print(error)  // postgresql db.example:5432/coccd: connect: connection refused
/// }
/// ```
public struct PostgresStoreError: Error, CustomStringConvertible, Sendable, Equatable {
    /// `host:port/database`.
    public var endpoint: String
    /// What the store was doing: "connect", "migrate", "appendEvent", ...
    public var operation: String
    /// The server's message, or what went wrong on the client side.
    public var message: String
    /// The server's SQLSTATE (`23505` for a unique violation), when the server answered.
    public var sqlState: String?

    public init(endpoint: String, operation: String, message: String, sqlState: String? = nil) {
        self.endpoint = endpoint
        self.operation = operation
        self.message = message
        self.sqlState = sqlState
    }

    public var description: String {
        "postgresql \(endpoint): \(operation): \(message)" + (sqlState.map { " (SQLSTATE \($0))" } ?? "")
    }
}

extension PostgresStoreError {
    /// The store's error for anything a query or a connection threw. Errors that already say what
    /// went wrong in the store's terms (a provisioning refusal, a campaign failure) are not
    /// wrapped: callers match on them.
    static func wrapping(_ error: any Error, endpoint: String, operation: String) -> any Error {
        switch error {
        case is PostgresStoreError, is DirectoryAdminError, is CampaignFailure, is CancellationError, is StoreFenceError:
            return error
        case let psql as PSQLError:
            return PostgresStoreError(psql, endpoint: endpoint, operation: operation)
        case let transaction as PostgresTransactionError:
            // Our own transactions never produce one; kept for safety.
            let inner = transaction.closureError ?? transaction.commitError ?? transaction.beginError ?? transaction.rollbackError
            return inner.map { wrapping($0, endpoint: endpoint, operation: operation) } ?? error
        case let decoding as PostgresDecodingError:
            return PostgresStoreError(
                endpoint: endpoint, operation: operation,
                message: "cannot decode column \(decoding.columnName) (\(decoding.code)) as \(decoding.targetType)")
        default:
            return PostgresStoreError(endpoint: endpoint, operation: operation, message: describe(error))
        }
    }

    init(_ error: PSQLError, endpoint: String, operation: String) {
        self.init(endpoint: endpoint, operation: operation, message: Self.message(of: error), sqlState: error.serverInfo?[.sqlState])
    }

    /// The server's message (with its detail), else the client-side code and its cause.
    static func message(of error: PSQLError) -> String {
        if let server = error.serverInfo, let message = server[.message] {
            return message + (server[.detail].map { ": \($0)" } ?? "")
        }
        var text: String
        switch error.code {
        case .connectionError: text = "cannot connect"
        case .serverClosedConnection: text = "the server closed the connection"
        case .clientClosedConnection: text = "the connection was closed"
        case .sslUnsupported: text = "the server does not support TLS (sslmode requires it)"
        case .failedToAddSSLHandler: text = "cannot set up TLS"
        case .poolClosed: text = "the store is closed"
        case .queryCancelled: text = "cancelled"
        case .authMechanismRequiresPassword: text = "the server asks for a password and the URL has none"
        case .unsupportedAuthMechanism: text = "unsupported authentication method"
        case .saslError: text = "authentication failed"
        default: text = "\(error.code)"
        }
        // The cause is a channel or TLS error (refused, timed out, certificate invalid): it names
        // the address at most, never the credentials, which PSQLError keeps elsewhere.
        if let underlying = error.underlying {
            text += ": \((underlying as? PSQLError).map(message(of:)) ?? describe(underlying))"
        }
        return text
    }

    /// Any other error, by its description; the pool's own errors (its module is not ours to
    /// import) by what they mean.
    static func describe(_ error: any Error) -> String {
        let text = String(describing: error)
        guard String(describing: type(of: error)) == "ConnectionPoolError" else { return text }
        if text.contains("CircuitBreaker") { return "cannot connect (the server has been unreachable for a while)" }
        if text.contains("poolShutdown") { return "the store is closed" }
        if text.contains("requestCancelled") { return "cancelled" }
        return "connection pool error"
    }
}
