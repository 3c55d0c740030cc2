public import CoccStorage
public import Foundation
public import GRDB

/// The embedded store: one SQLite file (WAL) under the data directory, through GRDB.
///
/// ```swift
/// let store = try SQLiteStore(path: "data/coccd.sqlite")
/// let center = try await CallCenter(store: store, switch: pbx)
/// ```
/// The CLI's provisioning commands open the same file while the server runs; triggers bump
/// a revision on every directory change, and the server reloads its snapshot when it moves.
/// Reads and writes go through GRDB's async API, on GRDB's own threads, so a query never
/// occupies a thread of Swift's cooperative pool.
public final class SQLiteStore: DataStore, Sendable {
    public let database: DatabasePool

    public init(path: String) throws {
        var config = Configuration()
        config.busyMode = .timeout(5)
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA foreign_keys = ON")
        }
        // Made 0600 before SQLite opens it, so that no other local user ever reads the file; its
        // -wal and -shm take the file's mode from SQLite, and older ones are tightened below.
        if !FileManager.default.fileExists(atPath: path) {
            FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: Int(DataDirectory.fileMode)])
        }
        database = try DatabasePool(path: path, configuration: config)
        for file in [path, path + "-wal", path + "-shm"] { DataDirectory.tighten(file) }
        try Self.migrator.migrate(database)
    }

    public var summary: String { "sqlite \(database.path)" }

    public func check() async throws {
        _ = try await database.read { db in try Int.fetchOne(db, sql: "SELECT 1") }
    }

    /// Checkpoints the WAL and closes the file; call once, at shutdown.
    public func close() async throws {
        try database.close()
    }

    public func directoryRevision() async throws -> Int64 {
        try await database.read { db in try Int64.fetchOne(db, sql: "SELECT value FROM directory_revision WHERE id = 1") ?? 0 }
    }

    public func loadDirectory() async throws -> Directory {
        try await database.read { db in
            let revision = try Int64.fetchOne(db, sql: "SELECT value FROM directory_revision WHERE id = 1") ?? 0
            let teams = try Row.fetchAll(db, sql: "SELECT * FROM teams").map {
                Team(id: $0["id"], identity: $0["identity"], name: $0["name"], eventURL: $0["event_url"], language: $0["language"])
            }
            let accounts = try Row.fetchAll(db, sql: "SELECT * FROM accounts").map {
                Account(
                    id: $0["id"], teamID: $0["team_id"], username: $0["username"], passwordHash: $0["password_hash"],
                    surname: $0["surname"], enabled: $0["enabled"])
            }
            let agents = try Row.fetchAll(db, sql: "SELECT * FROM agents").map {
                Agent(
                    id: $0["id"], teamID: $0["team_id"], number: $0["number"], name: $0["name"],
                    passwordHash: $0["password_hash"], extensionNumber: $0["extension"], accountID: $0["account_id"],
                    outboundRestricted: $0["outbound_restricted"])
            }
            let groups = try Row.fetchAll(db, sql: "SELECT * FROM agent_groups").map {
                AgentGroup(id: $0["id"], teamID: $0["team_id"], name: $0["name"], queueNumber: $0["queue_number"])
            }
            let memberships = try Row.fetchAll(db, sql: "SELECT * FROM memberships").map {
                Membership(
                    agentID: $0["agent_id"], groupID: $0["group_id"],
                    kind: MembershipKind(rawValue: $0["kind"]) ?? .static, isGroupAdmin: $0["is_admin"])
            }
            let extensions = try Row.fetchAll(db, sql: "SELECT * FROM extensions").map {
                PhoneExtension(teamID: $0["team_id"], number: $0["number"])
            }
            return Directory(
                revision: revision, teams: teams, agents: agents, accounts: accounts, groups: groups,
                memberships: memberships, extensions: extensions)
        }
    }

    public func loadSessions(teamID: Int64) async throws -> [AgentSession] {
        let decoder = JSONDecoder()
        return try await database.read { db in
            try String.fetchAll(db, sql: "SELECT data FROM agent_sessions WHERE team_id = ?", arguments: [teamID])
                .map { try decoder.decode(AgentSession.self, from: Data($0.utf8)) }
        }
    }

    public func saveSession(_ session: AgentSession) async throws {
        let data = String(decoding: try JSONEncoder().encode(session), as: UTF8.self)
        try await database.write { db in
            try db.execute(
                sql:
                    "INSERT INTO agent_sessions (agent_id, team_id, data) VALUES (?, ?, ?) ON CONFLICT(agent_id) DO UPDATE SET data = excluded.data",
                arguments: [session.agentID, session.teamID, data])
        }
    }

    public func startPause(teamID: Int64, agentID: Int64, reason: String, at: Date) async throws {
        try await database.write { db in
            try db.execute(
                sql: "INSERT INTO pause_log (team_id, agent_id, reason, started_at) VALUES (?, ?, ?, ?)",
                arguments: [teamID, agentID, reason, at.timeIntervalSince1970])
        }
    }

    public func endPause(agentID: Int64, at: Date) async throws {
        try await database.write { db in
            try db.execute(
                sql: "UPDATE pause_log SET ended_at = ? WHERE agent_id = ? AND ended_at IS NULL",
                arguments: [at.timeIntervalSince1970, agentID])
        }
    }

    public func pauses(agentID: Int64, overlapping since: Date) async throws -> [PauseRecord] {
        try await database.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT * FROM pause_log WHERE agent_id = ?1 AND (started_at >= ?2 OR ended_at IS NULL OR ended_at > ?2)
                    ORDER BY started_at
                    """, arguments: [agentID, since.timeIntervalSince1970]
            ).map { row in
                PauseRecord(
                    id: row["id"], agentID: row["agent_id"], reason: row["reason"],
                    startedAt: Date(timeIntervalSince1970: row["started_at"]),
                    endedAt: (row["ended_at"] as Double?).map { Date(timeIntervalSince1970: $0) })
            }
        }
    }
}
