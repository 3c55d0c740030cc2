public import CoccStorage
import GRDB

extension SQLiteStore {
    /// Provisioning in one write transaction (``DirectoryProvisioningStore``); a constraint
    /// violation (a duplicate, a dangling reference) becomes a ``DirectoryAdminError`` that says
    /// so, and nothing of the list is kept.
    public func apply(_ changes: [DirectoryChange]) async throws -> [Int64] {
        do {
            return try await database.write { db in
                var ids: [Int64] = []
                for change in changes { ids.append(try Self.apply(change, earlier: ids, db)) }
                return ids
            }
        } catch let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT {
            throw DirectoryAdminError.invalid("already exists or conflicts (\(error.message ?? "constraint"))")
        }
    }

    private static func apply(_ change: DirectoryChange, earlier ids: [Int64], _ db: Database) throws -> Int64 {
        switch change {
        case .addTeam(let identity, let name, let id):
            guard !identity.isEmpty else { throw DirectoryAdminError.invalid("empty team identity") }
            try db.execute(sql: "INSERT INTO teams (id, identity, name) VALUES (?, ?, ?)", arguments: [id, identity, name])
            return db.lastInsertedRowID
        case .updateTeam(let identity, let name, let eventURL, let language):
            let id = try teamID(db, identity)
            if let name { try db.execute(sql: "UPDATE teams SET name = ? WHERE id = ?", arguments: [name, id]) }
            if let eventURL { try db.execute(sql: "UPDATE teams SET event_url = ? WHERE id = ?", arguments: [eventURL, id]) }
            if let language { try db.execute(sql: "UPDATE teams SET language = ? WHERE id = ?", arguments: [language, id]) }
        case .removeTeam(let identity):
            try db.execute(sql: "DELETE FROM teams WHERE identity = ?", arguments: [identity])
            try expectOneChange(db, "team \(identity)")
        case .addAccount(let team, let username, let hash, let surname):
            guard !username.isEmpty else { throw DirectoryAdminError.invalid("empty account name") }
            try db.execute(
                sql: "INSERT INTO accounts (team_id, username, password_hash, surname) VALUES (?, ?, ?, ?)",
                arguments: [try teamID(db, team), username, hash, surname])
            return db.lastInsertedRowID
        case .setAccount(let team, let username, let hash, let enabled, let surname):
            let id = try accountID(db, team: try teamID(db, team), username)
            if let hash { try db.execute(sql: "UPDATE accounts SET password_hash = ? WHERE id = ?", arguments: [hash, id]) }
            if let enabled { try db.execute(sql: "UPDATE accounts SET enabled = ? WHERE id = ?", arguments: [enabled, id]) }
            if let surname { try db.execute(sql: "UPDATE accounts SET surname = ? WHERE id = ?", arguments: [surname, id]) }
        case .removeAccount(let team, let username):
            try db.execute(sql: "DELETE FROM accounts WHERE team_id = ? AND username = ?", arguments: [try teamID(db, team), username])
            try expectOneChange(db, "account \(username)")
        case .addAgent(let team, let number, let name, let hash, let exten, let account):
            guard !number.isEmpty else { throw DirectoryAdminError.invalid("empty agent number") }
            let tid = try teamID(db, team)
            let accountID = try account.map { try Self.accountID(db, team: tid, $0) }
            try db.execute(
                sql: "INSERT INTO agents (team_id, number, name, password_hash, extension, account_id) VALUES (?, ?, ?, ?, ?, ?)",
                arguments: [tid, number, name, hash, exten, accountID])
            let id = db.lastInsertedRowID
            if !exten.isEmpty {
                try db.execute(sql: "INSERT OR IGNORE INTO extensions (team_id, number) VALUES (?, ?)", arguments: [tid, exten])
            }
            return id
        case .setAgent(let team, let number, let name, let hash, let exten, let outboundRestricted):
            let tid = try teamID(db, team)
            let id = try agentID(db, team: tid, number)
            if let name { try db.execute(sql: "UPDATE agents SET name = ? WHERE id = ?", arguments: [name, id]) }
            if let outboundRestricted {
                try db.execute(sql: "UPDATE agents SET outbound_restricted = ? WHERE id = ?", arguments: [outboundRestricted, id])
            }
            if let hash { try db.execute(sql: "UPDATE agents SET password_hash = ? WHERE id = ?", arguments: [hash, id]) }
            if let exten {
                try db.execute(sql: "UPDATE agents SET extension = ? WHERE id = ?", arguments: [exten, id])
                try db.execute(sql: "INSERT OR IGNORE INTO extensions (team_id, number) VALUES (?, ?)", arguments: [tid, exten])
            }
        case .removeAgent(let team, let number):
            let tid = try teamID(db, team)
            try db.execute(sql: "DELETE FROM agents WHERE id = ?", arguments: [try agentID(db, team: tid, number)])
        case .addGroup(let team, let name, let queueNumber, let id):
            guard !queueNumber.isEmpty else { throw DirectoryAdminError.invalid("empty queue number") }
            try db.execute(
                sql: "INSERT INTO agent_groups (id, team_id, name, queue_number) VALUES (?, ?, ?, ?)",
                arguments: [id, try teamID(db, team), name, queueNumber])
            return db.lastInsertedRowID
        case .removeGroup(let team, let id):
            try db.execute(sql: "DELETE FROM agent_groups WHERE team_id = ? AND id = ?", arguments: [try teamID(db, team), id])
            try expectOneChange(db, "group \(id)")
        case .setMember(let team, let group, let agent, let kind, let admin):
            let tid = try teamID(db, team)
            let gid: Int64
            switch group {
            case .id(let id): gid = id
            case .added(let index):
                guard ids.indices.contains(index) else { throw DirectoryAdminError.invalid("group reference \(index)") }
                gid = ids[index]
            }
            try db.execute(
                sql: """
                    INSERT INTO memberships (agent_id, group_id, kind, is_admin) VALUES (?, ?, ?, ?)
                    ON CONFLICT(agent_id, group_id) DO UPDATE SET kind = excluded.kind, is_admin = excluded.is_admin
                    """, arguments: [try agentID(db, team: tid, agent), try groupID(db, team: tid, gid), kind.rawValue, admin])
        case .removeMember(let team, let group, let agent):
            let tid = try teamID(db, team)
            try db.execute(
                sql: "DELETE FROM memberships WHERE agent_id = ? AND group_id = ?",
                arguments: [try agentID(db, team: tid, agent), try groupID(db, team: tid, group)])
            try expectOneChange(db, "membership of \(agent) in \(group)")
        case .addExtension(let team, let number):
            guard !number.isEmpty else { throw DirectoryAdminError.invalid("empty extension") }
            try db.execute(
                sql: "INSERT OR IGNORE INTO extensions (team_id, number) VALUES (?, ?)", arguments: [try teamID(db, team), number])
        case .removeExtension(let team, let number):
            try db.execute(sql: "DELETE FROM extensions WHERE team_id = ? AND number = ?", arguments: [try teamID(db, team), number])
            try expectOneChange(db, "extension \(number)")
        }
        return 0
    }

    private static func teamID(_ db: Database, _ identity: String) throws -> Int64 {
        guard let id = try Int64.fetchOne(db, sql: "SELECT id FROM teams WHERE identity = ?", arguments: [identity]) else {
            throw DirectoryAdminError.notFound("team \(identity)")
        }
        return id
    }

    private static func accountID(_ db: Database, team: Int64, _ username: String) throws -> Int64 {
        guard
            let id = try Int64.fetchOne(db, sql: "SELECT id FROM accounts WHERE team_id = ? AND username = ?", arguments: [team, username])
        else { throw DirectoryAdminError.notFound("account \(username)") }
        return id
    }

    private static func agentID(_ db: Database, team: Int64, _ number: String) throws -> Int64 {
        guard let id = try Int64.fetchOne(db, sql: "SELECT id FROM agents WHERE team_id = ? AND number = ?", arguments: [team, number])
        else { throw DirectoryAdminError.notFound("agent \(number)") }
        return id
    }

    private static func groupID(_ db: Database, team: Int64, _ id: Int64) throws -> Int64 {
        guard try Bool.fetchOne(db, sql: "SELECT 1 FROM agent_groups WHERE team_id = ? AND id = ?", arguments: [team, id]) != nil else {
            throw DirectoryAdminError.notFound("group \(id)")
        }
        return id
    }

    /// Throws unless a row changed.
    private static func expectOneChange(_ db: Database, _ what: String) throws {
        if db.changesCount == 0 { throw DirectoryAdminError.notFound(what) }
    }
}
