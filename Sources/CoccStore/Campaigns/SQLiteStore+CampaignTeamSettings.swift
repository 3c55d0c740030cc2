import CoccStorage
import GRDB

/// Who in a team may import. By default only accounts (`usertype=account`): an import writes
/// customers for the whole team and takes the server's one import worker, which is more than an
/// agent's own work needs. A team that wants its agents to import says so
/// (`coccd team update <team> --allow-agent-import yes`).
extension SQLiteStore {
    public func allowsAgentImports(team: Int64) async throws -> Bool {
        try await database.read { db in
            try Bool.fetchOne(db, sql: "SELECT allow_agent_import FROM import_team_settings WHERE team_id = ?", arguments: [team]) ?? false
        }
    }

    public func setAllowsAgentImports(team: Int64, _ allowed: Bool) async throws {
        try await database.write { db in
            try db.execute(
                sql: """
                    INSERT INTO import_team_settings (team_id, allow_agent_import) VALUES (?, ?)
                    ON CONFLICT (team_id) DO UPDATE SET allow_agent_import = excluded.allow_agent_import
                    """, arguments: [team, allowed])
        }
    }
}
