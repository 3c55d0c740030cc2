public import Foundation
import GRDB

/// A file import (`source=http` or `ftp`): persisted, so a scheduled one survives restarts and
/// its outcome can be read later (`coccd import status`, `GET /coccinterface/importtask`).
public struct ImportTask: Sendable, Equatable, Codable {
    public enum State: String, Sendable, Codable { case scheduled, running, done, failed }

    public var id: Int64
    public var teamID: Int64
    public var campaignID: Int64
    public var source: String
    /// Without credentials (they are kept apart and never shown).
    public var url: String
    public var runAt: Date
    public var state: State
    public var rowsRead = 0
    public var imported = 0
    public var updated = 0
    public var duplicates = 0
    public var rejected = 0
    public var predialed = 0
    /// The first problems, with row numbers and reasons.
    public var problems: [RowProblem] = []
    /// Why the whole task failed, as `BackMsg_NN: reason`.
    public var error = ""
    public var createdAt: Date
    public var finishedAt: Date?
}

extension CampaignStore {
    struct TaskSecrets { var url: String; var user: String; var password: String; var options: ImportOptions }

    public func createTask(team: Int64, campaign: Int64, source: String, url: URL, user: String, password: String, runAt: Date,
                           options: ImportOptions, now: Date) throws -> Int64 {
        let optionsJSON = String(decoding: try JSONEncoder().encode(options), as: UTF8.self)
        return try database.write { db in
            try db.execute(sql: """
                INSERT INTO import_tasks (team_id, campaign_id, source, url, source_user, source_pwd, options, run_at, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [team, campaign, source, url.absoluteString, user, password, optionsJSON, runAt.timeIntervalSince1970,
                                 now.timeIntervalSince1970])
            return db.lastInsertedRowID
        }
    }

    public func task(id: Int64) throws -> ImportTask? {
        try database.read { db in try Row.fetchOne(db, sql: "SELECT * FROM import_tasks WHERE id = ?", arguments: [id]).map(Self.task) }
    }

    public func tasks(team: Int64, limit: Int = 50) throws -> [ImportTask] {
        try database.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM import_tasks WHERE team_id = ? ORDER BY id DESC LIMIT ?", arguments: [team, limit]).map(Self.task)
        }
    }

    /// Due tasks, oldest first, each claimed (state running) in the same transaction.
    func claimDueTasks(now: Date) throws -> [(ImportTask, TaskSecrets)] {
        try database.write { db in
            let rows = try Row.fetchAll(db, sql: "SELECT * FROM import_tasks WHERE state = 'scheduled' AND run_at <= ? ORDER BY run_at, id",
                                        arguments: [now.timeIntervalSince1970])
            try db.execute(sql: "UPDATE import_tasks SET state = 'running' WHERE state = 'scheduled' AND run_at <= ?", arguments: [now.timeIntervalSince1970])
            return try rows.map { row in
                var task = Self.task(row)
                task.state = .running
                let options = try JSONDecoder().decode(ImportOptions.self, from: Data((row["options"] as String).utf8))
                return (task, TaskSecrets(url: row["url"], user: row["source_user"], password: row["source_pwd"], options: options))
            }
        }
    }

    /// Tasks a crash left running go back to the schedule (returns how many).
    public func requeueInterruptedTasks() throws -> Int {
        try database.write { db in
            try db.execute(sql: "UPDATE import_tasks SET state = 'scheduled' WHERE state = 'running'")
            return db.changesCount
        }
    }

    func finish(_ task: ImportTask, now: Date) throws {
        let problems = String(decoding: try JSONEncoder().encode(task.problems), as: UTF8.self)
        try database.write { db in
            try db.execute(sql: """
                UPDATE import_tasks SET state = ?, rows_read = ?, imported = ?, updated = ?, duplicates = ?, rejected = ?, predialed = ?,
                    problems = ?, error = ?, finished_at = ?, source_pwd = '' WHERE id = ?
                """, arguments: [task.state.rawValue, task.rowsRead, task.imported, task.updated, task.duplicates, task.rejected, task.predialed,
                                 problems, task.error, now.timeIntervalSince1970, task.id])
        }
    }

    static func task(_ row: Row) -> ImportTask {
        let url = URL(string: row["url"] as String).map(FetchPolicy.redacted) ?? ""
        var task = ImportTask(id: row["id"], teamID: row["team_id"], campaignID: row["campaign_id"], source: row["source"], url: url,
                              runAt: Date(timeIntervalSince1970: row["run_at"]), state: ImportTask.State(rawValue: row["state"]) ?? .failed,
                              createdAt: Date(timeIntervalSince1970: row["created_at"]),
                              finishedAt: (row["finished_at"] as Double?).map { Date(timeIntervalSince1970: $0) })
        task.rowsRead = row["rows_read"]
        task.imported = row["imported"]
        task.updated = row["updated"]
        task.duplicates = row["duplicates"]
        task.rejected = row["rejected"]
        task.predialed = row["predialed"]
        task.problems = (try? JSONDecoder().decode([RowProblem].self, from: Data((row["problems"] as String).utf8))) ?? []
        task.error = row["error"]
        return task
    }
}
