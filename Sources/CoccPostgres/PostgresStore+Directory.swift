public import CoccStorage
import Logging
import PostgresNIO
import Synchronization

extension PostgresStore {
    public func directoryRevision() async throws -> Int64 {
        try await read("directoryRevision") { connection in
            try await connection.value(Int64.self, "SELECT value FROM directory_revision WHERE id = 1", logger) ?? 0
        }
    }

    /// The whole directory from one snapshot, so that the revision matches the rows.
    public func loadDirectory() async throws -> Directory {
        try await snapshot("loadDirectory") { connection in
            let revision = try await connection.value(Int64.self, "SELECT value FROM directory_revision WHERE id = 1", logger) ?? 0
            let teams = try await connection.rows("SELECT id, identity, name, event_url, language FROM teams", logger).map { row in
                let (id, identity, name, eventURL, language) = try row.decode((Int64, String, String, String, String).self)
                return Team(id: id, identity: identity, name: name, eventURL: eventURL, language: language)
            }
            let accounts = try await connection.rows(
                "SELECT id, team_id, username, password_hash, surname, enabled FROM accounts", logger
            ).map { row in
                let (id, team, username, hash, surname, enabled) = try row.decode((Int64, Int64, String, String, String, Bool).self)
                return Account(id: id, teamID: team, username: username, passwordHash: hash, surname: surname, enabled: enabled)
            }
            let agents = try await connection.rows(
                "SELECT id, team_id, number, name, password_hash, extension, account_id, outbound_restricted FROM agents", logger
            ).map { row in
                let (id, team, number, name, hash, exten, account, restricted) = try row.decode(
                    (Int64, Int64, String, String, String, String, Int64?, Bool).self)
                return Agent(
                    id: id, teamID: team, number: number, name: name, passwordHash: hash, extensionNumber: exten, accountID: account,
                    outboundRestricted: restricted)
            }
            let groups = try await connection.rows("SELECT id, team_id, name, queue_number FROM agent_groups", logger).map { row in
                let (id, team, name, queue) = try row.decode((Int64, Int64, String, String).self)
                return AgentGroup(id: id, teamID: team, name: name, queueNumber: queue)
            }
            let memberships = try await connection.rows("SELECT agent_id, group_id, kind, is_admin FROM memberships", logger).map { row in
                let (agent, group, kind, admin) = try row.decode((Int64, Int64, String, Bool).self)
                return Membership(agentID: agent, groupID: group, kind: MembershipKind(rawValue: kind) ?? .static, isGroupAdmin: admin)
            }
            let extensions = try await connection.rows("SELECT team_id, number FROM extensions", logger).map { row in
                let (team, number) = try row.decode((Int64, String).self)
                return PhoneExtension(teamID: team, number: number)
            }
            return Directory(
                revision: revision, teams: teams, agents: agents, accounts: accounts, groups: groups, memberships: memberships,
                extensions: extensions)
        }
    }

    /// Yields when `coccd_directory` is notified (every directory change, from any node or the
    /// CLI), through `LISTEN` on a connection of its own (``signals(channel:_:)``). It also
    /// yields each time listening (re)starts, first included: a change may have happened while
    /// nobody listened. The stream ends when its consumer stops or the store closes.
    public func directoryChangeSignals() -> AsyncStream<Void>? {
        signals(channel: "coccd_directory") { _ in () }
    }
}
