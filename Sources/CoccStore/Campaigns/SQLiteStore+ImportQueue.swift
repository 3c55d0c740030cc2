public import CoccStorage
public import Foundation
import GRDB

/// The task queue on the store: due tasks are `queued`, the one worker claims them one at a
/// time, and each batch saves the task's progress in the batch's own transaction.
extension SQLiteStore {
    /// Scheduled tasks whose time has come join the queue; then the oldest queued task (by run
    /// time, then id) is claimed (`running`). One transaction, so two callers never claim the same.
    public func claimNextTask(now: Date, teams: [Int64]?) async throws -> (ImportTask, TaskSecrets)? {
        try await database.write { db in
            try db.execute(
                sql: "UPDATE import_tasks SET state = 'queued' WHERE state = 'scheduled' AND run_at <= ?",
                arguments: [now.timeIntervalSince1970])
            // The team ids are numbers: written into the statement, never user text.
            let only = teams.map { " AND team_id IN (\($0.map(String.init).joined(separator: ",")))" } ?? ""
            guard
                let row = try Row.fetchOne(db, sql: "SELECT * FROM import_tasks WHERE state = 'queued'\(only) ORDER BY run_at, id LIMIT 1")
            else {
                return nil
            }
            var task = Self.task(row)
            try db.execute(sql: "UPDATE import_tasks SET state = 'running' WHERE id = ?", arguments: [task.id])
            task.state = .running
            let options = try JSONDecoder().decode(ImportOptions.self, from: Data((row["options"] as String).utf8))
            return (task, TaskSecrets(url: row["url"], user: row["source_user"], password: row["source_pwd"], options: options))
        }
    }

    /// Tasks a crash or a stop left running go back to the front of the queue (returns how
    /// many); they continue after their saved row.
    public func requeueInterruptedTasks(teamID: Int64?) async throws -> Int {
        try await database.write { db in
            if let teamID {
                try db.execute(sql: "UPDATE import_tasks SET state = 'queued' WHERE state = 'running' AND team_id = ?", arguments: [teamID])
            } else {
                try db.execute(sql: "UPDATE import_tasks SET state = 'queued' WHERE state = 'running'")
            }
            return db.changesCount
        }
    }

    /// Imports one batch of a task and saves the task's progress (`through`: the last file row
    /// read so far, and the counts with this batch's outcomes) in the SAME transaction: after a
    /// crash, the saved counts are exactly those of the rows in the store.
    public func importBatch(
        campaign: Campaign, records: [ImportRecord], options: ImportOptions, now: Date, task: ImportTask,
        through row: Int
    ) async throws -> ImportTask {
        try await database.write { db in
            var task = task
            for result in try applyBatch(db, campaign: campaign, records: records, options: options, now: now) { task.count(result) }
            task.progressRow = row
            try Self.saveCounts(db, task, extra: "progress_row = ?", [row])
            return task
        }
    }

    public func finish(_ task: ImportTask, now: Date) async throws {
        try await database.write { db in
            try Self.saveCounts(
                db, task, extra: "state = ?, error = ?, finished_at = ?, source_pwd = ''",
                [task.state.rawValue, task.error, now.timeIntervalSince1970])
        }
    }

    private static func saveCounts(_ db: Database, _ task: ImportTask, extra: String, _ arguments: StatementArguments) throws {
        let problems = String(decoding: try JSONEncoder().encode(task.problems), as: UTF8.self)
        try db.execute(
            sql: """
                UPDATE import_tasks SET rows_read = ?, imported = ?, updated = ?, duplicates = ?, rejected = ?, predialed = ?, problems = ?, \(extra)
                WHERE id = ?
                """,
            arguments: [task.rowsRead, task.imported, task.updated, task.duplicates, task.rejected, task.predialed, problems]
                + arguments + [task.id])
    }
}
