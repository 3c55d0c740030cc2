public import CoccEngine
public import CoccStorage
import Foundation
import GRDB

/// Provisioning: adds, changes and removes teams, accounts, agents, groups, memberships and
/// extensions. Passwords are hashed here and never stored in clear.
///
/// ```swift
/// let admin = DirectoryAdmin(store: store)
/// let team = try admin.addTeam(identity: "acme", name: "Acme")
/// try admin.addAgent(team: "acme", number: "1001", password: "secret", extension: "1001")
/// ```
public struct DirectoryAdmin: Sendable {
    public let store: SQLiteStore
    /// PBKDF2 rounds for new hashes; tests lower it to stay fast.
    public var rounds: Int

    public init(store: SQLiteStore, rounds: Int = PasswordHash.defaultRounds) {
        self.store = store
        self.rounds = rounds
    }

    public enum AdminError: Error, CustomStringConvertible, Equatable {
        case notFound(String)
        case invalid(String)
        public var description: String {
            switch self {
            case .notFound(let what): return "not found: \(what)"
            case .invalid(let why): return "invalid: \(why)"
            }
        }
    }

    /// One write transaction; a constraint violation (a duplicate, a dangling reference) becomes
    /// an `AdminError` that says so, and nothing of the transaction is kept.
    func write<T>(_ body: (Database) throws -> T) throws -> T {
        do {
            return try store.database.write(body)
        } catch let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT {
            throw AdminError.invalid("already exists or conflicts (\(error.message ?? "constraint"))")
        }
    }

    func teamID(_ db: Database, _ identity: String) throws -> Int64 {
        guard let id = try Int64.fetchOne(db, sql: "SELECT id FROM teams WHERE identity = ?", arguments: [identity]) else {
            throw AdminError.notFound("team \(identity)")
        }
        return id
    }

    func agentID(_ db: Database, team: Int64, _ number: String) throws -> Int64 {
        guard let id = try Int64.fetchOne(db, sql: "SELECT id FROM agents WHERE team_id = ? AND number = ?", arguments: [team, number])
        else {
            throw AdminError.notFound("agent \(number)")
        }
        return id
    }

    func groupID(_ db: Database, team: Int64, _ id: Int64) throws -> Int64 {
        guard try Bool.fetchOne(db, sql: "SELECT 1 FROM agent_groups WHERE team_id = ? AND id = ?", arguments: [team, id]) != nil else {
            throw AdminError.notFound("group \(id)")
        }
        return id
    }

    /// Throws unless exactly one row changed.
    func expectOneChange(_ db: Database, _ what: String) throws {
        if db.changesCount == 0 { throw AdminError.notFound(what) }
    }

    // MARK: Teams

    @discardableResult
    public func addTeam(identity: String, name: String, id: Int64? = nil) throws -> Int64 {
        try write { db in try insertTeam(db, identity: identity, name: name, id: id) }
    }

    func insertTeam(_ db: Database, identity: String, name: String, id: Int64?) throws -> Int64 {
        guard !identity.isEmpty else { throw AdminError.invalid("empty team identity") }
        try db.execute(sql: "INSERT INTO teams (id, identity, name) VALUES (?, ?, ?)", arguments: [id, identity, name])
        return db.lastInsertedRowID
    }

    public func updateTeam(identity: String, name: String? = nil, eventURL: String? = nil, language: String? = nil) throws {
        try write { db in try changeTeam(db, identity: identity, name: name, eventURL: eventURL, language: language) }
    }

    func changeTeam(_ db: Database, identity: String, name: String?, eventURL: String?, language: String?) throws {
        let id = try teamID(db, identity)
        if let name { try db.execute(sql: "UPDATE teams SET name = ? WHERE id = ?", arguments: [name, id]) }
        if let eventURL { try db.execute(sql: "UPDATE teams SET event_url = ? WHERE id = ?", arguments: [eventURL, id]) }
        if let language { try db.execute(sql: "UPDATE teams SET language = ? WHERE id = ?", arguments: [language, id]) }
    }

    public func removeTeam(identity: String) throws {
        try write { db in
            try db.execute(sql: "DELETE FROM teams WHERE identity = ?", arguments: [identity])
            try expectOneChange(db, "team \(identity)")
        }
    }

    // MARK: Accounts

    @discardableResult
    public func addAccount(team: String, username: String, password: String, surname: String = "") throws -> Int64 {
        let hash = PasswordHash.make(password: password, rounds: rounds)
        return try write { db in try insertAccount(db, team: team, username: username, hash: hash, surname: surname) }
    }

    func insertAccount(_ db: Database, team: String, username: String, hash: String, surname: String) throws -> Int64 {
        guard !username.isEmpty else { throw AdminError.invalid("empty account name") }
        try db.execute(
            sql: "INSERT INTO accounts (team_id, username, password_hash, surname) VALUES (?, ?, ?, ?)",
            arguments: [try teamID(db, team), username, hash, surname])
        return db.lastInsertedRowID
    }

    public func setAccount(team: String, username: String, password: String? = nil, enabled: Bool? = nil, surname: String? = nil) throws {
        let hash = password.map { PasswordHash.make(password: $0, rounds: rounds) }
        try write { db in
            let tid = try teamID(db, team)
            guard
                let id = try Int64.fetchOne(
                    db, sql: "SELECT id FROM accounts WHERE team_id = ? AND username = ?", arguments: [tid, username])
            else {
                throw AdminError.notFound("account \(username)")
            }
            if let hash { try db.execute(sql: "UPDATE accounts SET password_hash = ? WHERE id = ?", arguments: [hash, id]) }
            if let enabled { try db.execute(sql: "UPDATE accounts SET enabled = ? WHERE id = ?", arguments: [enabled, id]) }
            if let surname { try db.execute(sql: "UPDATE accounts SET surname = ? WHERE id = ?", arguments: [surname, id]) }
        }
    }

    public func removeAccount(team: String, username: String) throws {
        try write { db in
            try db.execute(sql: "DELETE FROM accounts WHERE team_id = ? AND username = ?", arguments: [try teamID(db, team), username])
            try expectOneChange(db, "account \(username)")
        }
    }

    // MARK: Agents

    @discardableResult
    public func addAgent(team: String, number: String, name: String = "", password: String, extension exten: String, account: String? = nil)
        throws -> Int64
    {
        let hash = PasswordHash.make(password: password, rounds: rounds)
        return try write { db in try insertAgent(db, team: team, number: number, name: name, hash: hash, extension: exten, account: account)
        }
    }

    func insertAgent(_ db: Database, team: String, number: String, name: String, hash: String, extension exten: String, account: String?)
        throws -> Int64
    {
        guard !number.isEmpty else { throw AdminError.invalid("empty agent number") }
        let tid = try teamID(db, team)
        var accountID: Int64?
        if let account {
            accountID = try Int64.fetchOne(
                db, sql: "SELECT id FROM accounts WHERE team_id = ? AND username = ?", arguments: [tid, account])
            if accountID == nil { throw AdminError.notFound("account \(account)") }
        }
        try db.execute(
            sql: "INSERT INTO agents (team_id, number, name, password_hash, extension, account_id) VALUES (?, ?, ?, ?, ?, ?)",
            arguments: [tid, number, name, hash, exten, accountID])
        let id = db.lastInsertedRowID
        if !exten.isEmpty {
            try db.execute(sql: "INSERT OR IGNORE INTO extensions (team_id, number) VALUES (?, ?)", arguments: [tid, exten])
        }
        return id
    }

    public func setAgent(
        team: String, number: String, name: String? = nil, password: String? = nil, extension exten: String? = nil,
        outboundRestricted: Bool? = nil
    ) throws {
        let hash = password.map { PasswordHash.make(password: $0, rounds: rounds) }
        try write { db in
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
        }
    }

    public func removeAgent(team: String, number: String) throws {
        try write { db in
            let tid = try teamID(db, team)
            try db.execute(sql: "DELETE FROM agents WHERE id = ?", arguments: [try agentID(db, team: tid, number)])
        }
    }

    // MARK: Groups, memberships, extensions

    @discardableResult
    public func addGroup(team: String, name: String, queueNumber: String, id: Int64? = nil) throws -> Int64 {
        try write { db in try insertGroup(db, team: team, name: name, queueNumber: queueNumber, id: id) }
    }

    func insertGroup(_ db: Database, team: String, name: String, queueNumber: String, id: Int64?) throws -> Int64 {
        guard !queueNumber.isEmpty else { throw AdminError.invalid("empty queue number") }
        try db.execute(
            sql: "INSERT INTO agent_groups (id, team_id, name, queue_number) VALUES (?, ?, ?, ?)",
            arguments: [id, try teamID(db, team), name, queueNumber])
        return db.lastInsertedRowID
    }

    public func removeGroup(team: String, id: Int64) throws {
        try write { db in
            try db.execute(sql: "DELETE FROM agent_groups WHERE team_id = ? AND id = ?", arguments: [try teamID(db, team), id])
            try expectOneChange(db, "group \(id)")
        }
    }

    public func addMember(team: String, group: Int64, agent: String, kind: MembershipKind, admin: Bool = false) throws {
        try write { db in try insertMember(db, team: team, group: group, agent: agent, kind: kind, admin: admin) }
    }

    func insertMember(_ db: Database, team: String, group: Int64, agent: String, kind: MembershipKind, admin: Bool) throws {
        let tid = try teamID(db, team)
        try db.execute(
            sql: """
                INSERT INTO memberships (agent_id, group_id, kind, is_admin) VALUES (?, ?, ?, ?)
                ON CONFLICT(agent_id, group_id) DO UPDATE SET kind = excluded.kind, is_admin = excluded.is_admin
                """, arguments: [try agentID(db, team: tid, agent), try groupID(db, team: tid, group), kind.rawValue, admin])
    }

    public func removeMember(team: String, group: Int64, agent: String) throws {
        try write { db in
            let tid = try teamID(db, team)
            try db.execute(
                sql: "DELETE FROM memberships WHERE agent_id = ? AND group_id = ?",
                arguments: [try agentID(db, team: tid, agent), try groupID(db, team: tid, group)])
            try expectOneChange(db, "membership of \(agent) in \(group)")
        }
    }

    public func addExtension(team: String, number: String) throws {
        try write { db in try insertExtension(db, team: team, number: number) }
    }

    func insertExtension(_ db: Database, team: String, number: String) throws {
        guard !number.isEmpty else { throw AdminError.invalid("empty extension") }
        try db.execute(sql: "INSERT OR IGNORE INTO extensions (team_id, number) VALUES (?, ?)", arguments: [try teamID(db, team), number])
    }

    public func removeExtension(team: String, number: String) throws {
        try write { db in
            try db.execute(sql: "DELETE FROM extensions WHERE team_id = ? AND number = ?", arguments: [try teamID(db, team), number])
            try expectOneChange(db, "extension \(number)")
        }
    }
}
