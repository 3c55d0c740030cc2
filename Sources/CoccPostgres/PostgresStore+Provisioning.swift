public import CoccStorage
import Logging
import PostgresNIO

extension PostgresStore {
    /// Provisioning in one transaction (``DirectoryProvisioningStore``), change for change as
    /// SQLite's. A constraint violation (SQLSTATE class 23: a duplicate, a dangling reference)
    /// becomes a ``DirectoryAdminError`` that says so, and nothing of the list is kept.
    public func apply(_ changes: [DirectoryChange]) async throws -> [Int64] {
        do {
            return try await transaction("apply") { connection in
                var ids: [Int64] = []
                for change in changes {
                    ids.append(try await Provisioning(connection: connection, logger: logger).apply(change, earlier: ids))
                }
                return ids
            }
        } catch let error as PostgresStoreError where error.sqlState?.hasPrefix("23") == true {
            throw DirectoryAdminError.invalid("already exists or conflicts (\(error.message))")
        }
    }
}

/// One provisioning transaction's statements.
private struct Provisioning {
    let connection: PostgresConnection
    let logger: Logger

    func apply(_ change: DirectoryChange, earlier ids: [Int64]) async throws -> Int64 {
        switch change {
        case .addTeam(let identity, let name, let id):
            guard !identity.isEmpty else { throw DirectoryAdminError.invalid("empty team identity") }
            if let id {
                try await connection.run("INSERT INTO teams (id, identity, name) VALUES (\(id), \(identity), \(name))", logger)
                try await advanceIdentity(of: "teams")
                return id
            }
            return try await insert("INSERT INTO teams (identity, name) VALUES (\(identity), \(name)) RETURNING id")
        case .updateTeam(let identity, let name, let eventURL, let language):
            let id = try await teamID(identity)
            if let name { try await connection.run("UPDATE teams SET name = \(name) WHERE id = \(id)", logger) }
            if let eventURL { try await connection.run("UPDATE teams SET event_url = \(eventURL) WHERE id = \(id)", logger) }
            if let language { try await connection.run("UPDATE teams SET language = \(language) WHERE id = \(id)", logger) }
        case .removeTeam(let identity):
            try await expectOneChange("DELETE FROM teams WHERE identity = \(identity)", "team \(identity)")
        case .addAccount(let team, let username, let hash, let surname):
            guard !username.isEmpty else { throw DirectoryAdminError.invalid("empty account name") }
            let tid = try await teamID(team)
            return try await insert(
                "INSERT INTO accounts (team_id, username, password_hash, surname) VALUES (\(tid), \(username), \(hash), \(surname)) RETURNING id"
            )
        case .setAccount(let team, let username, let hash, let enabled, let surname):
            let id = try await accountID(team: try await teamID(team), username)
            if let hash { try await connection.run("UPDATE accounts SET password_hash = \(hash) WHERE id = \(id)", logger) }
            if let enabled { try await connection.run("UPDATE accounts SET enabled = \(enabled) WHERE id = \(id)", logger) }
            if let surname { try await connection.run("UPDATE accounts SET surname = \(surname) WHERE id = \(id)", logger) }
        case .removeAccount(let team, let username):
            let tid = try await teamID(team)
            try await expectOneChange("DELETE FROM accounts WHERE team_id = \(tid) AND username = \(username)", "account \(username)")
        case .addAgent(let team, let number, let name, let hash, let exten, let account):
            guard !number.isEmpty else { throw DirectoryAdminError.invalid("empty agent number") }
            let tid = try await teamID(team)
            var accountID: Int64?
            if let account { accountID = try await self.accountID(team: tid, account) }
            let id = try await insert(
                """
                INSERT INTO agents (team_id, number, name, password_hash, extension, account_id)
                VALUES (\(tid), \(number), \(name), \(hash), \(exten), \(accountID)) RETURNING id
                """)
            if !exten.isEmpty { try await addExtension(tid, exten) }
            return id
        case .setAgent(let team, let number, let name, let hash, let exten, let outboundRestricted):
            let tid = try await teamID(team)
            let id = try await agentID(team: tid, number)
            if let name { try await connection.run("UPDATE agents SET name = \(name) WHERE id = \(id)", logger) }
            if let outboundRestricted {
                try await connection.run("UPDATE agents SET outbound_restricted = \(outboundRestricted) WHERE id = \(id)", logger)
            }
            if let hash { try await connection.run("UPDATE agents SET password_hash = \(hash) WHERE id = \(id)", logger) }
            if let exten {
                try await connection.run("UPDATE agents SET extension = \(exten) WHERE id = \(id)", logger)
                try await addExtension(tid, exten)
            }
        case .removeAgent(let team, let number):
            let id = try await agentID(team: try await teamID(team), number)
            try await connection.run("DELETE FROM agents WHERE id = \(id)", logger)
        case .addGroup(let team, let name, let queueNumber, let id):
            guard !queueNumber.isEmpty else { throw DirectoryAdminError.invalid("empty queue number") }
            let tid = try await teamID(team)
            if let id {
                try await connection.run(
                    "INSERT INTO agent_groups (id, team_id, name, queue_number) VALUES (\(id), \(tid), \(name), \(queueNumber))", logger)
                try await advanceIdentity(of: "agent_groups")
                return id
            }
            return try await insert(
                "INSERT INTO agent_groups (team_id, name, queue_number) VALUES (\(tid), \(name), \(queueNumber)) RETURNING id")
        case .removeGroup(let team, let id):
            let tid = try await teamID(team)
            try await expectOneChange("DELETE FROM agent_groups WHERE team_id = \(tid) AND id = \(id)", "group \(id)")
        case .setMember(let team, let group, let agent, let kind, let admin):
            let tid = try await teamID(team)
            let gid: Int64
            switch group {
            case .id(let id): gid = id
            case .added(let index):
                guard ids.indices.contains(index) else { throw DirectoryAdminError.invalid("group reference \(index)") }
                gid = ids[index]
            }
            let aid = try await agentID(team: tid, agent)
            try await requireGroup(team: tid, gid)
            try await connection.run(
                """
                INSERT INTO memberships (agent_id, group_id, kind, is_admin) VALUES (\(aid), \(gid), \(kind.rawValue), \(admin))
                ON CONFLICT (agent_id, group_id) DO UPDATE SET kind = excluded.kind, is_admin = excluded.is_admin
                """, logger)
        case .removeMember(let team, let group, let agent):
            let tid = try await teamID(team)
            let aid = try await agentID(team: tid, agent)
            try await requireGroup(team: tid, group)
            try await expectOneChange(
                "DELETE FROM memberships WHERE agent_id = \(aid) AND group_id = \(group)", "membership of \(agent) in \(group)")
        case .addExtension(let team, let number):
            guard !number.isEmpty else { throw DirectoryAdminError.invalid("empty extension") }
            try await addExtension(try await teamID(team), number)
        case .removeExtension(let team, let number):
            let tid = try await teamID(team)
            try await expectOneChange("DELETE FROM extensions WHERE team_id = \(tid) AND number = \(number)", "extension \(number)")
        }
        return 0
    }

    /// An insert `RETURNING id`.
    private func insert(_ query: PostgresQuery) async throws -> Int64 {
        guard let id = try await connection.value(Int64.self, query, logger) else {
            throw DirectoryAdminError.invalid("the insert returned no id")
        }
        return id
    }

    /// After an explicit id, the identity sequence moves past the table's largest id (never
    /// back), so that the next id the database picks is free.
    private func advanceIdentity(of table: String) async throws {
        try await connection.run(
            """
            SELECT setval(s.seq, GREATEST((SELECT COALESCE(MAX(id), 1) FROM \(unescaped: table)), COALESCE(pg_sequence_last_value(s.seq), 1)))
            FROM (SELECT pg_get_serial_sequence(\(table), 'id')::regclass AS seq) AS s
            """, logger)
    }

    /// SQLite's `INSERT OR IGNORE`: an extension the team has is not an error.
    private func addExtension(_ team: Int64, _ number: String) async throws {
        try await connection.run("INSERT INTO extensions (team_id, number) VALUES (\(team), \(number)) ON CONFLICT DO NOTHING", logger)
    }

    private func teamID(_ identity: String) async throws -> Int64 {
        guard let id = try await connection.value(Int64.self, "SELECT id FROM teams WHERE identity = \(identity)", logger) else {
            throw DirectoryAdminError.notFound("team \(identity)")
        }
        return id
    }

    private func accountID(team: Int64, _ username: String) async throws -> Int64 {
        guard
            let id = try await connection.value(
                Int64.self, "SELECT id FROM accounts WHERE team_id = \(team) AND username = \(username)", logger)
        else { throw DirectoryAdminError.notFound("account \(username)") }
        return id
    }

    private func agentID(team: Int64, _ number: String) async throws -> Int64 {
        guard
            let id = try await connection.value(Int64.self, "SELECT id FROM agents WHERE team_id = \(team) AND number = \(number)", logger)
        else { throw DirectoryAdminError.notFound("agent \(number)") }
        return id
    }

    private func requireGroup(team: Int64, _ id: Int64) async throws {
        guard try await connection.value(Int.self, "SELECT 1 FROM agent_groups WHERE team_id = \(team) AND id = \(id)", logger) != nil
        else {
            throw DirectoryAdminError.notFound("group \(id)")
        }
    }

    /// Runs a DELETE and throws unless it removed a row.
    private func expectOneChange(_ delete: PostgresQuery, _ what: String) async throws {
        var query = delete
        query.sql = "WITH gone AS (\(query.sql) RETURNING 1) SELECT COUNT(*) FROM gone"
        if try await connection.value(Int.self, query, logger) ?? 0 == 0 { throw DirectoryAdminError.notFound(what) }
    }
}
