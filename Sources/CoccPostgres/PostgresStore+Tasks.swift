public import CoccStorage
public import Foundation
import Logging
import PostgresNIO

/// Import tasks: stored without credentials in the URL; due tasks are `queued`, the import
/// worker claims them one at a time (one worker per node: `SKIP LOCKED` keeps two nodes from
/// claiming the same), and each batch saves the task's progress in the batch's own transaction.
extension PostgresStore {
    public func createTask(
        team: Int64, campaign: Int64, source: String, url: URL, user: String, password: String, runAt: Date, queued: Bool,
        options: ImportOptions, now: Date
    ) async throws -> Int64 {
        let optionsJSON = String(decoding: try JSONEncoder().encode(options), as: UTF8.self)
        let split = URLUserinfo.split(url)
        let (user, password) = user.isEmpty && password.isEmpty ? (split.user, split.password) : (user, password)
        let state = queued ? ImportTask.State.queued.rawValue : ImportTask.State.scheduled.rawValue
        return try await read("createTask") { connection in
            try await connection.value(
                Int64.self,
                """
                INSERT INTO import_tasks (team_id, campaign_id, source, url, source_user, source_pwd, options, run_at, created_at, state)
                VALUES (\(team), \(campaign), \(source), \(split.url), \(user), \(password), \(optionsJSON), \(runAt), \(now), \(state))
                RETURNING id
                """, logger) ?? 0
        }
    }

    static let taskColumns = """
        id, team_id, campaign_id, source, url, run_at, state, created_at, finished_at, rows_read, imported, updated, duplicates, rejected,
        predialed, problems, error, progress_row
        """

    public func task(id: Int64) async throws -> ImportTask? {
        try await read("task") { connection in
            try await connection.rows("SELECT \(unescaped: Self.taskColumns) FROM import_tasks WHERE id = \(id)", logger).first.map(
                Self.task)
        }
    }

    public func tasks(team: Int64, limit: Int) async throws -> [ImportTask] {
        try await read("tasks") { connection in
            try await connection.rows(
                "SELECT \(unescaped: Self.taskColumns) FROM import_tasks WHERE team_id = \(team) ORDER BY id DESC LIMIT \(limit)", logger
            ).map(Self.task)
        }
    }

    /// Scheduled tasks whose time has come join the queue; then the oldest queued task (by run
    /// time, then id) is claimed (`running`), in one transaction.
    public func claimNextTask(now: Date, teams: [Int64]?) async throws -> (ImportTask, TaskSecrets)? {
        try await transaction("claimNextTask") { connection in
            try await connection.run("UPDATE import_tasks SET state = 'queued' WHERE state = 'scheduled' AND run_at <= \(now)", logger)
            guard
                let row = try await connection.rows(
                    """
                    SELECT \(unescaped: Self.taskColumns), options, source_user, source_pwd, url FROM import_tasks WHERE state = 'queued'
                    AND (\(teams == nil) OR team_id = ANY(\(ArrayParameter.integers(teams ?? []))))
                    ORDER BY run_at, id LIMIT 1 FOR UPDATE SKIP LOCKED
                    """, logger
                ).first
            else { return nil }
            var task = try Self.task(row)
            try await connection.run("UPDATE import_tasks SET state = 'running' WHERE id = \(task.id)", logger)
            task.state = .running
            let cells = row.makeRandomAccess()
            let count = cells.count
            let options = try JSONDecoder().decode(ImportOptions.self, from: Data(try cells[count - 4].decode(String.self).utf8))
            let secrets = TaskSecrets(
                url: try cells[count - 1].decode(String.self), user: try cells[count - 3].decode(String.self),
                password: try cells[count - 2].decode(String.self), options: options)
            return (task, secrets)
        }
    }

    /// Tasks a crash or a stop left running go back to the front of the queue; answers how many.
    public func requeueInterruptedTasks(teamID: Int64?) async throws -> Int {
        try await read("requeueInterruptedTasks") { connection in
            try await connection.value(
                Int.self,
                """
                WITH requeued AS (UPDATE import_tasks SET state = 'queued' WHERE state = 'running'
                    AND (\(teamID == nil) OR team_id = \(teamID ?? 0)) RETURNING 1)
                SELECT COUNT(*) FROM requeued
                """,
                logger) ?? 0
        }
    }

    /// Imports one batch of a task and saves the task's progress (`through`: the last file row
    /// read so far, and the counts with this batch's outcomes) in the SAME transaction: after a
    /// crash, the saved counts are exactly those of the rows in the store.
    public func importBatch(
        campaign: Campaign, records: [ImportRecord], options: ImportOptions, now: Date, task: ImportTask, through row: Int
    ) async throws -> ImportTask {
        try await transaction("importBatch") { connection in
            var task = task
            let results = try await BatchImport(connection: connection, logger: logger).apply(
                campaign: campaign, records: records, options: options, now: now)
            for result in results { task.count(result) }
            task.progressRow = row
            try await Self.saveCounts(connection, task, logger)
            try await connection.run("UPDATE import_tasks SET progress_row = \(row) WHERE id = \(task.id)", logger)
            return task
        }
    }

    /// The task's outcome; the credentials are cleared now that it has ended.
    public func finish(_ task: ImportTask, now: Date) async throws {
        try await transaction("finish") { connection in
            try await Self.saveCounts(connection, task, logger)
            try await connection.run(
                """
                UPDATE import_tasks SET state = \(task.state.rawValue), error = \(task.error), finished_at = \(now), source_pwd = ''
                WHERE id = \(task.id)
                """, logger)
        }
    }

    private static func saveCounts(_ connection: PostgresConnection, _ task: ImportTask, _ logger: Logger) async throws {
        let problems = String(decoding: try JSONEncoder().encode(task.problems), as: UTF8.self)
        try await connection.run(
            """
            UPDATE import_tasks SET rows_read = \(task.rowsRead), imported = \(task.imported), updated = \(task.updated),
                duplicates = \(task.duplicates), rejected = \(task.rejected), predialed = \(task.predialed), problems = \(problems)
            WHERE id = \(task.id)
            """, logger)
    }

    /// The row of ``taskColumns`` (and anything after them). The URL is shown without userinfo.
    static func task(_ row: PostgresRow) throws -> ImportTask {
        let cells = row.makeRandomAccess()
        func cell<T: PostgresDecodable>(_ index: Int, _ type: T.Type) throws -> T { try cells[index].decode(T.self) }
        let url = URL(string: try cell(4, String.self)).map(URLUserinfo.redacted) ?? ""
        var task = ImportTask(
            id: try cell(0, Int64.self), teamID: try cell(1, Int64.self), campaignID: try cell(2, Int64.self),
            source: try cell(3, String.self),
            url: url, runAt: try cell(5, Date.self), state: ImportTask.State(rawValue: try cell(6, String.self)) ?? .failed,
            createdAt: try cell(7, Date.self), finishedAt: try cell(8, Date?.self))
        task.rowsRead = try cell(9, Int.self)
        task.imported = try cell(10, Int.self)
        task.updated = try cell(11, Int.self)
        task.duplicates = try cell(12, Int.self)
        task.rejected = try cell(13, Int.self)
        task.predialed = try cell(14, Int.self)
        task.problems = (try? JSONDecoder().decode([RowProblem].self, from: Data(try cell(15, String.self).utf8))) ?? []
        task.error = try cell(16, String.self)
        task.progressRow = try cell(17, Int.self)
        return task
    }
}
