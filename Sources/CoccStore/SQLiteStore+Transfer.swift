public import CoccStorage
import Foundation
import GRDB

/// Copies between stores (``StoreCopy``): SQLite's rows in the neutral kinds of
/// ``StoreCatalogue``. Booleans are 0/1 integers here and times REAL seconds since 1970 (as
/// every other query of this store writes them); `live_calls.seq` is the table's rowid, the
/// order recovery reads calls in.
///
/// ```swift
/// let source = try SQLiteStore(path: "data/coccd.sqlite")
/// try await StoreCopy().run(from: source, to: try await PostgresStore.open(url: url, logger: logger))
/// ```
extension SQLiteStore: StoreExporting, StoreImporting {
    /// The migrations a store file has not had yet, read without changing the file: opening a
    /// store migrates it, which `coccd store copy` says before it opens a source.
    ///
    /// ```swift
    /// let pending = try SQLiteStore.pendingMigrations(path: "data/coccd.sqlite")  // [] when current
    /// ```
    public static func pendingMigrations(path: String) throws -> [String] {
        var configuration = Configuration()
        configuration.readonly = true
        let queue = try DatabaseQueue(path: path, configuration: configuration)
        defer { try? queue.close() }
        let applied = try queue.read { db in try migrator.appliedIdentifiers(db) }
        return migrator.migrations.filter { !applied.contains($0) }
    }

    public func transferSchemaDifferences() async throws -> [String] {
        try await database.read { db in
            var differences: [String] = []
            let names = try String.fetchAll(
                db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'grdb_migrations'")
            for name in names.sorted() where StoreCatalogue.table(named: name) == nil {
                differences.append("table \(name) is not in the transfer catalogue")
            }
            for table in StoreCatalogue.tables {
                guard try db.tableExists(table.name) else {
                    differences.append("table \(table.name) is missing")
                    continue
                }
                let actual = Dictionary(try db.columns(in: table.name).map { ($0.name, $0.type.uppercased()) }) { a, _ in a }
                let expected = table.columns.filter { Self.sqlName(table, $0) != "rowid" }
                for name in actual.keys.sorted() where !expected.contains(where: { $0.name == name }) {
                    differences.append("column \(table.name).\(name) is not in the transfer catalogue")
                }
                for column in expected {
                    guard let type = actual[column.name] else {
                        differences.append("column \(table.name).\(column.name) is missing")
                        continue
                    }
                    if type != Self.declaredType(column.kind) {
                        differences.append("column \(table.name).\(column.name) is \(type), not \(column.kind.rawValue)")
                    }
                }
            }
            return differences
        }
    }

    public func rowCount(of table: StoreTable) async throws -> Int {
        try StoreCatalogue.require(table)
        return try await database.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(Self.quoted(table.name))") ?? 0 }
    }

    public func exportRows(of table: StoreTable, after cursor: StoreTransferCursor?, limit: Int) async throws -> StoreRowBatch {
        try StoreCatalogue.require(table)
        let key = table.key.map { name in Self.sqlName(table, table.columns.first { $0.name == name }!) }.joined(separator: ", ")
        var sql = "SELECT \(table.columns.map { Self.sqlName(table, $0) }.joined(separator: ", ")) FROM \(Self.quoted(table.name))"
        var arguments: [DatabaseValue] = []
        if let cursor {
            sql += " WHERE (\(key)) > (\(Array(repeating: "?", count: cursor.key.count).joined(separator: ", ")))"
            arguments = cursor.key.map(Self.databaseValue)
        }
        sql += " ORDER BY \(key) LIMIT \(limit)"
        let rows = try await database.read { [sql, arguments] db in
            try Row.fetchAll(db, sql: sql, arguments: StatementArguments(arguments)).map { row in
                try table.columns.indices.map { try Self.neutral(row[$0] as DatabaseValue, table, table.columns[$0]) }
            }
        }
        return StoreRowBatch(rows: rows, next: rows.count < limit ? nil : rows.last.map(table.cursor(after:)))
    }

    public func lastGeneratedIDs() async throws -> [String: Int64] {
        try await database.read { db in
            // AUTOINCREMENT tables remember their last id in sqlite_sequence, past deleted rows;
            // the others (INTEGER PRIMARY KEY alone) go on from their largest id anyway.
            let remembered = try Self.sequenceRows(db)
            var ids: [String: Int64] = [:]
            for table in StoreCatalogue.tables {
                guard let generated = table.generatedID, let column = table.columns.first(where: { $0.name == generated }) else { continue }
                let largest =
                    try Int64.fetchOne(db, sql: "SELECT MAX(\(Self.sqlName(table, column))) FROM \(Self.quoted(table.name))") ?? 0
                ids[table.name] = max(largest, remembered[table.name] ?? 0)
            }
            return ids
        }
    }

    public func occupiedTables() async throws -> [String] {
        try await database.read { db in
            try StoreCatalogue.tables.filter { !$0.singleton }.filter { table in
                try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM \(Self.quoted(table.name)))") ?? false
            }.map(\.name)
        }
    }

    public func clearForImport() async throws {
        try await database.write { db in
            // Dependents first, so that no foreign key is ever left dangling, even for a moment.
            for table in StoreCatalogue.tables.reversed() where !table.singleton {
                try db.execute(sql: "DELETE FROM \(Self.quoted(table.name))")
            }
            if try db.tableExists("sqlite_sequence") { try db.execute(sql: "DELETE FROM sqlite_sequence") }
        }
    }

    public func importRows(_ rows: [[StoreValue]], into table: StoreTable) async throws {
        try StoreCatalogue.require(table)
        try table.check(rows)
        let names = table.columns.map { Self.sqlName(table, $0) }
        var sql = """
            INSERT INTO \(Self.quoted(table.name)) (\(names.joined(separator: ", "))) \
            VALUES (\(Array(repeating: "?", count: names.count).joined(separator: ", ")))
            """
        if table.singleton {
            let updates = table.columns.filter { !table.key.contains($0.name) }.map {
                "\(Self.quoted($0.name)) = excluded.\(Self.quoted($0.name))"
            }
            sql += " ON CONFLICT (\(table.key.map(Self.quoted).joined(separator: ", "))) DO UPDATE SET \(updates.joined(separator: ", "))"
        }
        try await database.write { [sql] db in
            let statement = try db.cachedStatement(sql: sql)
            for row in rows { try statement.execute(arguments: StatementArguments(row.map(Self.databaseValue))) }
        }
    }

    public func finishImport(lastGeneratedIDs: [String: Int64]) async throws {
        try await database.write { db in
            // Inserting explicit ids moved sqlite_sequence to the largest; a source's last issued
            // id may lie past it. Only AUTOINCREMENT tables have a row to hold it.
            let autoincrement = try String.fetchSet(
                db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE '%AUTOINCREMENT%'")
            for (name, last) in lastGeneratedIDs where autoincrement.contains(name) && StoreCatalogue.table(named: name) != nil {
                try db.execute(sql: "UPDATE sqlite_sequence SET seq = MAX(seq, ?) WHERE name = ?", arguments: [last, name])
                if db.changesCount == 0 {
                    try db.execute(sql: "INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)", arguments: [name, last])
                }
            }
        }
    }

    private static func sequenceRows(_ db: Database) throws -> [String: Int64] {
        guard try db.tableExists("sqlite_sequence") else { return [:] }
        return try Row.fetchAll(db, sql: "SELECT name, seq FROM sqlite_sequence").reduce(into: [:]) { ids, row in
            ids[row["name"] as String] = row["seq"] as Int64
        }
    }

    /// Names come from the catalogue only (``StoreCatalogue/require(_:)``); quoted all the same.
    private static func quoted(_ name: String) -> String { "\"\(name)\"" }

    private static func sqlName(_ table: StoreTable, _ column: StoreColumn) -> String {
        table.name == "live_calls" && column.name == "seq" ? "rowid" : quoted(column.name)
    }

    private static func declaredType(_ kind: StoreColumnKind) -> String {
        switch kind {
        case .integer, .boolean: "INTEGER"
        case .text: "TEXT"
        case .timestamp: "REAL"
        }
    }

    private static func databaseValue(_ value: StoreValue) -> DatabaseValue {
        switch value {
        case .null: .null
        case .integer(let number): number.databaseValue
        case .text(let text): text.databaseValue
        case .boolean(let flag): (flag ? 1 : 0 as Int64).databaseValue
        case .timestamp(let date): date.timeIntervalSince1970.databaseValue
        }
    }

    /// A stored value in the column's kind; anything else (a blob, text in a number column) is
    /// refused rather than guessed at.
    private static func neutral(_ value: DatabaseValue, _ table: StoreTable, _ column: StoreColumn) throws -> StoreValue {
        switch (value.storage, column.kind) {
        case (.null, _): return .null
        case (.int64(let number), .integer): return .integer(number)
        case (.string(let text), .text): return .text(text)
        case (.int64(let number), .boolean): return .boolean(number != 0)
        case (.double(let seconds), .timestamp): return .timestamp(Date(timeIntervalSince1970: seconds))
        case (.int64(let seconds), .timestamp): return .timestamp(Date(timeIntervalSince1970: Double(seconds)))
        default: throw StoreTransferError.unexpectedValue(table: table.name, column: column.name)
        }
    }
}
