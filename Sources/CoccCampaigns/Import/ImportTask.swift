public import Foundation
import GRDB

/// A file import (`source=http` or `ftp`): persisted, so a scheduled one survives restarts and
/// its outcome can be read later (`coccd import status`, `GET /coccinterface/importtask`).
public struct ImportTask: Sendable, Equatable, Codable {
    /// `scheduled`: waiting for its `exetime`; `queued`: due, waiting for the server's one import
    /// worker; `running`; then `done` or `failed`.
    public enum State: String, Sendable, Codable { case scheduled, running, done, failed, queued }

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
    /// The last file row whose outcome (and the counts above) is saved, batch by batch: a task
    /// a crash interrupted continues after it, with these counts.
    public var progressRow = 0
}

extension CampaignStore {
    struct TaskSecrets {
        var url: String
        var user: String
        var password: String
        var options: ImportOptions
    }

    /// Stores a task: `queued` when it is for now, else `scheduled`. The URL is stored without
    /// its userinfo; a user and password written in it (`ftp://u:p@host/x.csv`) are kept with
    /// the other credentials instead (when those are empty), which are cleared once the task ends.
    public func createTask(
        team: Int64, campaign: Int64, source: String, url: URL, user: String, password: String, runAt: Date,
        queued: Bool = false, options: ImportOptions, now: Date
    ) throws -> Int64 {
        let optionsJSON = String(decoding: try JSONEncoder().encode(options), as: UTF8.self)
        let split = FetchPolicy.splitUserinfo(url)
        let (user, password) = user.isEmpty && password.isEmpty ? (split.user, split.password) : (user, password)
        return try database.write { db in
            try db.execute(
                sql: """
                    INSERT INTO import_tasks (team_id, campaign_id, source, url, source_user, source_pwd, options, run_at, created_at, state)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    team, campaign, source, split.url, user, password, optionsJSON, runAt.timeIntervalSince1970,
                    now.timeIntervalSince1970, queued ? ImportTask.State.queued.rawValue : ImportTask.State.scheduled.rawValue,
                ])
            return db.lastInsertedRowID
        }
    }

    public func task(id: Int64) throws -> ImportTask? {
        try database.read { db in try Row.fetchOne(db, sql: "SELECT * FROM import_tasks WHERE id = ?", arguments: [id]).map(Self.task) }
    }

    public func tasks(team: Int64, limit: Int = 50) throws -> [ImportTask] {
        try database.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM import_tasks WHERE team_id = ? ORDER BY id DESC LIMIT ?", arguments: [team, limit])
                .map(Self.task)
        }
    }

    static func task(_ row: Row) -> ImportTask {
        let url = URL(string: row["url"] as String).map(FetchPolicy.redacted) ?? ""
        var task = ImportTask(
            id: row["id"], teamID: row["team_id"], campaignID: row["campaign_id"], source: row["source"], url: url,
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
        task.progressRow = row["progress_row"]
        return task
    }
}
