/// Copies every table of ``StoreCatalogue`` from one store into another, whichever their kinds:
/// SQLite to PostgreSQL (`coccd store copy`), and any other pair, which the tests run too.
///
/// ```swift
/// let counts = try await StoreCopy(force: false).run(from: sqlite, to: postgres)
/// for count in counts { print(count.table, count.source, count.target) }
/// ```
/// Table by table, in dependency order, in batches (each one transaction on the target); then
/// each table's rows are counted on both sides, and the target's id generators are moved past
/// the copied ids. The copy as a whole is not one transaction: one that fails midway leaves
/// a partial target, which a copy with `force` then replaces. The source must not be in use
/// (a server writing to it makes the counts differ, which stops the copy).
public struct StoreCopy: Sendable {
    /// Rows per read and per write transaction.
    public var batchSize: Int
    /// A target with rows is emptied first, rather than refused.
    public var force: Bool

    public init(batchSize: Int = 1_000, force: Bool = false) {
        precondition(batchSize > 0, "a batch has at least one row")
        self.batchSize = batchSize
        self.force = force
    }

    /// One table's rows on each side once it was copied.
    public struct TableCount: Sendable, Equatable {
        public var table: String
        public var source: Int
        public var target: Int

        public init(table: String, source: Int, target: Int) {
            self.table = table
            self.source = source
            self.target = target
        }
    }

    /// Copies, verifies and answers the counts of every table, in catalogue order. `progress`
    /// hears each table as it is done (a long copy says where it is).
    ///
    /// Throws ``StoreTransferError``: `schemaDiffers` before anything is written, when either
    /// side is not at the catalogue's schema; `targetNotEmpty` when the target has rows and
    /// `force` is off; `countMismatch` when a table's counts differ after its copy.
    @discardableResult
    public func run(
        from source: any StoreExporting, to target: any StoreImporting, progress: @Sendable (TableCount) -> Void = { _ in }
    ) async throws -> [TableCount] {
        let sourceDifferences = try await source.transferSchemaDifferences()
        guard sourceDifferences.isEmpty else { throw StoreTransferError.schemaDiffers(side: "source", differences: sourceDifferences) }
        let targetDifferences = try await target.transferSchemaDifferences()
        guard targetDifferences.isEmpty else { throw StoreTransferError.schemaDiffers(side: "target", differences: targetDifferences) }

        let occupied = try await target.occupiedTables()
        if !occupied.isEmpty {
            guard force else { throw StoreTransferError.targetNotEmpty(tables: occupied) }
            try await target.clearForImport()
        }

        var counts: [TableCount] = []
        for table in StoreCatalogue.tables {
            let copied = try await copy(table, from: source, to: target)
            let count = TableCount(
                table: table.name, source: try await source.rowCount(of: table), target: try await target.rowCount(of: table))
            guard count.source == copied, count.target == copied else {
                throw StoreTransferError.countMismatch(table: table.name, source: count.source, copied: copied, target: count.target)
            }
            counts.append(count)
            progress(count)
        }
        try await target.finishImport(lastGeneratedIDs: try await source.lastGeneratedIDs())
        return counts
    }

    /// Copies one table in batches; answers how many rows went.
    private func copy(_ table: StoreTable, from source: any StoreExporting, to target: any StoreImporting) async throws -> Int {
        var copied = 0
        var cursor: StoreTransferCursor?
        repeat {
            try Task.checkCancellation()
            let batch = try await source.exportRows(of: table, after: cursor, limit: batchSize)
            if !batch.rows.isEmpty { try await target.importRows(batch.rows, into: table) }
            copied += batch.rows.count
            cursor = batch.next
        } while cursor != nil
        return copied
    }
}
