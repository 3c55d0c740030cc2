public import Foundation

/// A column's kind, as both stores hold it: the neutral vocabulary of a copy between stores.
/// Each store maps its own types to it (SQLite keeps booleans as 0/1 and times as REAL seconds
/// since 1970; PostgreSQL has `boolean` and `timestamptz`).
///
/// ```swift
/// StoreColumn.time("started_at").kind  // .timestamp
/// ```
public enum StoreColumnKind: String, Sendable, Hashable, CaseIterable {
    case integer, text, boolean, timestamp
}

/// One column of a ``StoreTable``.
///
/// ```swift
/// let column = StoreColumn.int("account_id", nullable: true)
/// ```
public struct StoreColumn: Sendable, Hashable {
    public let name: String
    public let kind: StoreColumnKind
    public let nullable: Bool

    public init(_ name: String, _ kind: StoreColumnKind, nullable: Bool = false) {
        self.name = name
        self.kind = kind
        self.nullable = nullable
    }

    public static func int(_ name: String, nullable: Bool = false) -> StoreColumn { StoreColumn(name, .integer, nullable: nullable) }
    public static func text(_ name: String) -> StoreColumn { StoreColumn(name, .text) }
    public static func bool(_ name: String) -> StoreColumn { StoreColumn(name, .boolean) }
    public static func time(_ name: String, nullable: Bool = false) -> StoreColumn { StoreColumn(name, .timestamp, nullable: nullable) }
}

/// A table as a copy sees it: its columns in order, the key that orders its rows uniquely (a
/// batch read resumes after the last key it answered), the column whose values the store
/// generates (its sequence must move past the copied ids), and whether the schema itself
/// creates its one row.
///
/// ```swift
/// let events = StoreCatalogue.table(named: "call_events")!
/// events.key  // ["team_id", "eventid"]
/// ```
public struct StoreTable: Sendable, Hashable, CustomStringConvertible {
    public let name: String
    public let columns: [StoreColumn]
    public let key: [String]
    /// An id the store hands out (`teams.id`, `live_calls.seq`): after a copy the target's
    /// generator goes on past both the copied ids and the source's last issued one.
    public let generatedID: String?
    /// A row the migrations insert (`directory_revision`, `leg_id_sequence`): written as an
    /// upsert, never deleted, and not what makes a target "not empty".
    public let singleton: Bool

    public init(_ name: String, key: [String], generatedID: String? = nil, singleton: Bool = false, _ columns: [StoreColumn]) {
        precondition(key.allSatisfy { k in columns.contains { $0.name == k } }, "\(name): a key column is not a column")
        self.name = name
        self.columns = columns
        self.key = key
        self.generatedID = generatedID
        self.singleton = singleton
    }

    public var description: String { name }

    /// Positions of the key's columns in a row.
    public var keyIndices: [Int] { key.map { k in columns.firstIndex { $0.name == k }! } }

    /// The cursor that resumes a read after `row`.
    public func cursor(after row: [StoreValue]) -> StoreTransferCursor { StoreTransferCursor(key: keyIndices.map { row[$0] }) }

    /// Throws unless every row has one value per column, of the column's kind (NULL only where
    /// the column allows it): stores check what they are given before composing SQL for it.
    public func check(_ rows: [[StoreValue]]) throws {
        for row in rows {
            guard row.count == columns.count else {
                throw StoreTransferError.unexpectedValue(table: name, column: "(\(row.count) values for \(columns.count) columns)")
            }
            for (value, column) in zip(row, columns) where !value.fits(column) {
                throw StoreTransferError.unexpectedValue(table: name, column: column.name)
            }
        }
    }
}

/// One value of a row in a copy. Never printed: rows hold password hashes and secrets.
///
/// ```swift
/// let row: [StoreValue] = [.integer(1), .text("demo"), .boolean(true), .timestamp(Date()), .null]
/// ```
public enum StoreValue: Sendable, Hashable {
    case null
    case integer(Int64)
    case text(String)
    case boolean(Bool)
    case timestamp(Date)

    /// Whether the value may stand in `column`.
    public func fits(_ column: StoreColumn) -> Bool {
        switch (self, column.kind) {
        case (.null, _): column.nullable
        case (.integer, .integer), (.text, .text), (.boolean, .boolean), (.timestamp, .timestamp): true
        default: false
        }
    }
}

/// Where a batch read stopped: the key of the last row read. Opaque to the copier, which only
/// hands it back; each store compares it with its own key columns.
///
/// ```swift
/// let next = try await source.exportRows(of: table, after: batch.next, limit: 1_000)
/// ```
public struct StoreTransferCursor: Sendable, Hashable {
    public let key: [StoreValue]
    public init(key: [StoreValue]) { self.key = key }
}

/// Rows read from a table, in key order, and where the next read resumes (nil: the table is done).
public struct StoreRowBatch: Sendable {
    public var rows: [[StoreValue]]
    public var next: StoreTransferCursor?
    public init(rows: [[StoreValue]], next: StoreTransferCursor?) {
        self.rows = rows
        self.next = next
    }
}

/// What both sides of a copy answer: whether their schema is the one ``StoreCatalogue``
/// describes (a column added by a later migration and missing here would be lost silently),
/// and a table's row count (a copy verifies every table by it).
public protocol StoreTransferring: Sendable {
    /// How the store's tables differ from ``StoreCatalogue/tables`` ("column agents.x is not in
    /// the transfer catalogue"); empty when they agree. Migration bookkeeping is left out.
    func transferSchemaDifferences() async throws -> [String]
    func rowCount(of table: StoreTable) async throws -> Int
}

/// A store a copy reads from, table by table, in batches ordered by each table's key.
///
/// ```swift
/// var batch = try await store.exportRows(of: table, after: nil, limit: 1_000)
/// while let next = batch.next { batch = try await store.exportRows(of: table, after: next, limit: 1_000) }
/// ```
public protocol StoreExporting: StoreTransferring {
    /// At most `limit` rows after `cursor` (from the first row when nil), values in column order.
    func exportRows(of table: StoreTable, after cursor: StoreTransferCursor?, limit: Int) async throws -> StoreRowBatch
    /// Per table name, the last id the table's generator handed out, which may lie past the
    /// largest id left (rows deleted since): a target that went on from the largest would give a
    /// deleted agent's id again, and with it the old events addressed to that id.
    func lastGeneratedIDs() async throws -> [String: Int64]
}

/// A store a copy writes into.
///
/// ```swift
/// guard try await target.occupiedTables().isEmpty else { throw ... }
/// try await target.importRows(rows, into: table)
/// try await target.finishImport(lastGeneratedIDs: try await source.lastGeneratedIDs())
/// ```
public protocol StoreImporting: StoreTransferring {
    /// The catalogue's tables that hold rows (singleton tables aside); empty: a fresh store.
    func occupiedTables() async throws -> [String]
    /// Deletes every row of the catalogue's tables (singletons keep theirs), in one transaction.
    func clearForImport() async throws
    /// Writes rows (as ``StoreExporting`` read them) in one transaction; singletons are upserted.
    func importRows(_ rows: [[StoreValue]], into table: StoreTable) async throws
    /// After the last table: id generators move past the copied ids and past `lastGeneratedIDs`.
    func finishImport(lastGeneratedIDs: [String: Int64]) async throws
}

/// Why a copy between stores stopped. Names tables and columns, never a value.
public enum StoreTransferError: Error, CustomStringConvertible, Equatable {
    /// `side` is "source" or "target".
    case schemaDiffers(side: String, differences: [String])
    case targetNotEmpty(tables: [String])
    case countMismatch(table: String, source: Int, copied: Int, target: Int)
    case unknownTable(String)
    case unexpectedValue(table: String, column: String)

    public var description: String {
        switch self {
        case .schemaDiffers(let side, let differences):
            return "the \(side) store's schema is not the one this coccd copies: " + differences.joined(separator: "; ")
        case .targetNotEmpty(let tables):
            return "the target store is not empty (rows in \(tables.joined(separator: ", "))); copy with --force to empty it first"
        case .countMismatch(let table, let source, let copied, let target):
            return "\(table): the source has \(source) rows, \(copied) were copied, the target has \(target)"
                + " (was the source in use during the copy?)"
        case .unknownTable(let name):
            return "\(name) is not a table of the transfer catalogue"
        case .unexpectedValue(let table, let column):
            return "\(table).\(column): a value of an unexpected kind"
        }
    }
}
