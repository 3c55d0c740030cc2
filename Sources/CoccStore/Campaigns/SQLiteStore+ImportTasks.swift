public import CoccStorage
public import Foundation
import GRDB

extension SQLiteStore {
    /// Stores a task: `queued` when it is for now, else `scheduled`. The URL is stored without
    /// its userinfo; a user and password written in it (`ftp://u:p@host/x.csv`) are kept with
    /// the other credentials instead (when those are empty), which are cleared once the task ends.
    public func createTask(
        team: Int64, campaign: Int64, source: String, url: URL, user: String, password: String, runAt: Date,
        queued: Bool, options: ImportOptions, now: Date
    ) async throws -> Int64 {
        let optionsJSON = String(decoding: try JSONEncoder().encode(options), as: UTF8.self)
        let split = URLUserinfo.split(url)
        let (user, password) = user.isEmpty && password.isEmpty ? (split.user, split.password) : (user, password)
        return try await database.write { db in
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

    public func task(id: Int64) async throws -> ImportTask? {
        try await database.read { db in try Row.fetchOne(db, sql: "SELECT * FROM import_tasks WHERE id = ?", arguments: [id]).map(Self.task)
        }
    }

    public func tasks(team: Int64, limit: Int) async throws -> [ImportTask] {
        try await database.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM import_tasks WHERE team_id = ? ORDER BY id DESC LIMIT ?", arguments: [team, limit])
                .map(Self.task)
        }
    }

    static func task(_ row: Row) -> ImportTask {
        let url = URL(string: row["url"] as String).map(URLUserinfo.redacted) ?? ""
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
