import CoccStorage
import GRDB
import GRDBSQLite

/// The import's hot loop talks to SQLite directly: binding and stepping a prepared statement
/// through GRDB costs several times the SQLite work for these small statements (boxing each
/// argument, building a cursor), and an import runs four statements per row. The statements
/// are still prepared and owned by GRDB, inside GRDB's transaction.
struct FastStatement {
    let statement: Statement
    let connection: OpaquePointer?

    init(_ db: Database, _ sql: String) throws {
        statement = try db.cachedStatement(sql: sql)
        connection = db.sqliteConnection
    }

    enum Value {
        case text(String)
        case int(Int64)
        case real(Double)
    }

    /// Binds, steps once and resets; returns column 0 of the first row as an integer, if any.
    @discardableResult
    func run(_ values: [Value]) throws -> Int64? {
        let handle = statement.sqliteStatement
        defer {
            sqlite3_reset(handle)
            sqlite3_clear_bindings(handle)
        }
        for (index, value) in values.enumerated() {
            let position = Int32(index + 1)
            let code: Int32 =
                switch value {
                case .int(let v): sqlite3_bind_int64(handle, position, v)
                case .real(let v): sqlite3_bind_double(handle, position, v)
                case .text(let v): v.withCString { sqlite3_bind_text(handle, position, $0, -1, Self.transient) }
                }
            guard code == SQLITE_OK else { throw error(code) }
        }
        switch sqlite3_step(handle) {
        case SQLITE_ROW: return sqlite3_column_int64(handle, 0)
        case SQLITE_DONE: return nil
        case let code: throw error(code)
        }
    }

    var lastInsertedRowID: Int64 { sqlite3_last_insert_rowid(connection) }

    func error(_ code: Int32) -> DatabaseError {
        DatabaseError(
            resultCode: ResultCode(rawValue: code), message: connection.map { String(cString: sqlite3_errmsg($0)) }, sql: statement.sql)
    }

    /// SQLite copies the text before the bind returns.
    static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
}
