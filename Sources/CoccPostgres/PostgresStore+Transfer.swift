public import CoccStorage
import Foundation
import PostgresNIO

/// Copies between stores (``StoreCopy``): PostgreSQL's rows in the neutral kinds of
/// ``StoreCatalogue``. Times are `timestamptz` (microseconds) bound as `Date`, as every other
/// query of this store binds them; booleans are `boolean`; integers are read as `bigint` (the
/// singletons' ids are `integer`).
///
/// ```swift
/// let target = try await PostgresStore.open(url: url, logger: logger)
/// try await StoreCopy().run(from: try SQLiteStore(path: "data/coccd.sqlite"), to: target)
/// ```
/// A batch is one multi-row INSERT (a few statements for wide tables: a statement takes at most
/// 65,535 parameters), so a million events take a thousand round trips, not a million.
extension PostgresStore: StoreExporting, StoreImporting {
    /// Parameters per INSERT, under PostgreSQL's limit of 65,535 with room to spare.
    static let parametersPerStatement = 30_000

    public func transferSchemaDifferences() async throws -> [String] {
        let rows = try await read("transferSchemaDifferences") { connection in
            try await connection.rows(
                """
                SELECT table_name::text, column_name::text, data_type::text, is_nullable = 'YES', is_identity = 'YES'
                FROM information_schema.columns WHERE table_schema = current_schema() AND table_name <> 'schema_migrations'
                """, logger
            ).map { try $0.decode((String, String, String, Bool, Bool).self) }
        }
        var differences: [String] = []
        for name in Set(rows.map(\.0)).subtracting(StoreCatalogue.runtimeTables).sorted() where StoreCatalogue.table(named: name) == nil {
            differences.append("table \(name) is not in the transfer catalogue")
        }
        for table in StoreCatalogue.tables {
            let actual = rows.filter { $0.0 == table.name }
            guard !actual.isEmpty else {
                differences.append("table \(table.name) is missing")
                continue
            }
            for row in actual where !table.columns.contains(where: { $0.name == row.1 }) {
                differences.append("column \(table.name).\(row.1) is not in the transfer catalogue")
            }
            for column in table.columns {
                guard let row = actual.first(where: { $0.1 == column.name }) else {
                    differences.append("column \(table.name).\(column.name) is missing")
                    continue
                }
                if !Self.types(column.kind).contains(row.2) || row.3 != column.nullable || row.4 != (table.generatedID == column.name) {
                    differences.append(
                        "column \(table.name).\(column.name) is \(row.2)\(row.3 ? " NULL" : "")\(row.4 ? " identity" : ""), not as catalogued"
                    )
                }
            }
        }
        return differences
    }

    public func rowCount(of table: StoreTable) async throws -> Int {
        try StoreCatalogue.require(table)
        return try await read("count \(table.name)") { connection in
            try await connection.value(Int.self, PostgresQuery(unsafeSQL: "SELECT COUNT(*) FROM \(Self.quoted(table.name))"), logger) ?? 0
        }
    }

    public func exportRows(of table: StoreTable, after cursor: StoreTransferCursor?, limit: Int) async throws -> StoreRowBatch {
        try StoreCatalogue.require(table)
        let key = table.key.map(Self.quoted).joined(separator: ", ")
        let columns = table.columns.map { $0.kind == .integer ? "\(Self.quoted($0.name))::bigint" : Self.quoted($0.name) }
        var sql = "SELECT \(columns.joined(separator: ", ")) FROM \(Self.quoted(table.name))"
        var bindings = PostgresBindings()
        if let cursor {
            sql += " WHERE (\(key)) > (\(cursor.key.indices.map { "$\($0 + 1)" }.joined(separator: ", ")))"
            for value in cursor.key { Self.bind(value, &bindings) }
        }
        sql += " ORDER BY \(key) LIMIT \(limit)"
        let rows = try await read("export \(table.name)") { connection in
            try await connection.rows(PostgresQuery(unsafeSQL: sql, binds: bindings), logger).map { row in
                try zip(row, table.columns).map { cell, column in try Self.neutral(cell, column) }
            }
        }
        return StoreRowBatch(rows: rows, next: rows.count < limit ? nil : rows.last.map(table.cursor(after:)))
    }

    public func lastGeneratedIDs() async throws -> [String: Int64] {
        try await read("lastGeneratedIDs") { connection in
            var ids: [String: Int64] = [:]
            for table in StoreCatalogue.tables {
                guard let column = table.generatedID else { continue }
                // pg_sequence_last_value: the last value handed out (NULL before the first).
                ids[table.name] =
                    try await connection.value(
                        Int64.self,
                        PostgresQuery(
                            unsafeSQL: """
                                SELECT GREATEST(COALESCE(MAX(\(Self.quoted(column))), 0),
                                    COALESCE(pg_sequence_last_value(pg_get_serial_sequence($1, $2)::regclass), 0))::bigint
                                FROM \(Self.quoted(table.name))
                                """, binds: .of(Self.quoted(table.name), column)), logger) ?? 0
            }
            return ids
        }
    }

    public func occupiedTables() async throws -> [String] {
        let tables = StoreCatalogue.tables.filter { !$0.singleton }
        var bindings = PostgresBindings()
        for table in tables { bindings.append(table.name) }
        let sql = tables.enumerated().map { index, table in
            "SELECT $\(index + 1)::text WHERE EXISTS (SELECT 1 FROM \(Self.quoted(table.name)))"
        }.joined(separator: " UNION ALL ")
        let occupied = try await read("occupiedTables") { connection in
            try await connection.rows(PostgresQuery(unsafeSQL: sql, binds: bindings), logger).map { try $0.decode(String.self) }
        }
        return tables.map(\.name).filter(occupied.contains)
    }

    public func clearForImport() async throws {
        // One TRUNCATE of every table at once: foreign keys between them allow it, and it is
        // immediate where DELETE would scan. The identities restart; the copy then sets them.
        let tables = StoreCatalogue.tables.filter { !$0.singleton }.map { Self.quoted($0.name) }.joined(separator: ", ")
        try await transaction("clearForImport") { connection in
            try await connection.run(PostgresQuery(unsafeSQL: "TRUNCATE \(tables) RESTART IDENTITY"), logger)
        }
    }

    public func importRows(_ rows: [[StoreValue]], into table: StoreTable) async throws {
        try StoreCatalogue.require(table)
        try table.check(rows)
        let names = table.columns.map { Self.quoted($0.name) }.joined(separator: ", ")
        var conflict = ""
        if table.singleton {
            let updates = table.columns.filter { !table.key.contains($0.name) }.map {
                "\(Self.quoted($0.name)) = EXCLUDED.\(Self.quoted($0.name))"
            }
            conflict =
                " ON CONFLICT (\(table.key.map(Self.quoted).joined(separator: ", "))) DO UPDATE SET \(updates.joined(separator: ", "))"
        }
        let perStatement = max(1, Self.parametersPerStatement / table.columns.count)
        try await transaction("import \(table.name)") { connection in
            for start in stride(from: 0, to: rows.count, by: perStatement) {
                let chunk = rows[start..<min(start + perStatement, rows.count)]
                var bindings = PostgresBindings(capacity: chunk.count * table.columns.count)
                var tuples: [String] = []
                tuples.reserveCapacity(chunk.count)
                for row in chunk {
                    let first = bindings.count + 1
                    tuples.append("(" + (first..<first + row.count).map { "$\($0)" }.joined(separator: ", ") + ")")
                    for value in row { Self.bind(value, &bindings) }
                }
                // Each value is coerced to its column's type (INSERT ... VALUES does so row by
                // row), so an untyped NULL and a bigint for an integer column both fit.
                let sql = "INSERT INTO \(Self.quoted(table.name)) (\(names)) VALUES \(tuples.joined(separator: ", "))\(conflict)"
                try await connection.run(PostgresQuery(unsafeSQL: sql, binds: bindings), logger)
            }
        }
    }

    public func finishImport(lastGeneratedIDs: [String: Int64]) async throws {
        try await transaction("finishImport") { connection in
            for table in StoreCatalogue.tables {
                guard let column = table.generatedID else { continue }
                // The last id as called (is_called): the next is the one after it, and
                // pg_sequence_last_value answers it when this store is the source of a copy.
                // An empty table's generator starts over at 1.
                try await connection.run(
                    PostgresQuery(
                        unsafeSQL: """
                            SELECT CASE WHEN issued > 0 THEN setval(seq, issued, true) ELSE setval(seq, 1, false) END
                            FROM (SELECT pg_get_serial_sequence($1, $2)::regclass AS seq,
                                GREATEST(COALESCE(MAX(\(Self.quoted(column))), 0), $3) AS issued FROM \(Self.quoted(table.name))) AS generator
                            """, binds: .of(Self.quoted(table.name), column, lastGeneratedIDs[table.name] ?? 0)), logger)
            }
        }
        // Fresh statistics: the planner's choices on the import and dialer paths depend on them,
        // and autovacuum would take a while to notice a table that filled at once.
        let tables = StoreCatalogue.tables.map { Self.quoted($0.name) }.joined(separator: ", ")
        try await execute(unsafeSQL: "ANALYZE \(tables)", operation: "finishImport")
    }

    /// Names come from the catalogue only (``StoreCatalogue/require(_:)``); quoted all the same.
    private static func quoted(_ name: String) -> String { "\"\(name)\"" }

    /// information_schema's names for the types a kind is stored as.
    private static func types(_ kind: StoreColumnKind) -> Set<String> {
        switch kind {
        case .integer: ["bigint", "integer"]
        case .text: ["text"]
        case .boolean: ["boolean"]
        case .timestamp: ["timestamp with time zone"]
        }
    }

    private static func bind(_ value: StoreValue, _ bindings: inout PostgresBindings) {
        switch value {
        case .null: bindings.appendNull()
        case .integer(let number): bindings.append(number)
        case .text(let text): bindings.append(text)
        case .boolean(let flag): bindings.append(flag)
        case .timestamp(let date): bindings.append(date)
        }
    }

    private static func neutral(_ cell: PostgresCell, _ column: StoreColumn) throws -> StoreValue {
        switch column.kind {
        case .integer: try cell.decode(Int64?.self).map(StoreValue.integer) ?? .null
        case .text: try cell.decode(String?.self).map(StoreValue.text) ?? .null
        case .boolean: try cell.decode(Bool?.self).map(StoreValue.boolean) ?? .null
        case .timestamp: try cell.decode(Date?.self).map(StoreValue.timestamp) ?? .null
        }
    }
}
