import ArgumentParser
import CoccEngine
import CoccProvisioning
import CoccStorage
import CoccStore
import Foundation

/// `coccd group add|list|remove`
struct GroupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "group", abstract: "Manage agent groups (queues).",
        subcommands: [Add.self, List.self, Remove.self])
    struct Add: AsyncParsableCommand {
        @OptionGroup var data: DataOptions
        @Option var team: String
        @Option var name: String
        @Option(help: "The group's queue number.") var queue: String
        @Option(help: "Fixed group id (agent_group_id).") var id: Int64?
        func run() async throws { print("group id \(try await data.admin().addGroup(team: team, name: name, queueNumber: queue, id: id))") }
    }
    struct List: AsyncParsableCommand {
        @OptionGroup var data: DataOptions
        @Option var team: String
        func run() async throws {
            let (d, t) = try await data.directory(team: team)
            for g in d.groups.values.filter({ $0.teamID == t.id }).sorted(by: { $0.id < $1.id }) {
                let members = d.memberships(ofGroup: g.id).compactMap { m in
                    d.agents[m.agentID].map { "\($0.number):\(m.kind.rawValue)\(m.isGroupAdmin ? ":admin" : "")" }
                }
                print("\(g.id)\t\(g.name)\tqueue=\(g.queueNumber)\tmembers=\(members.joined(separator: ","))")
            }
        }
    }
    struct Remove: AsyncParsableCommand {
        @OptionGroup var data: DataOptions
        @Option var team: String
        @Argument var id: Int64
        func run() async throws { try await data.admin().removeGroup(team: team, id: id) }
    }
}

/// `coccd member add|remove`
struct MemberCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "member", abstract: "Manage group memberships.",
        subcommands: [Add.self, Remove.self])
    struct Add: AsyncParsableCommand {
        @OptionGroup var data: DataOptions
        @Option var team: String
        @Option var group: Int64
        @Option var agent: String
        @Flag(help: "A dynamic member checks in with queueAction; static members are signed in at login.") var dynamic = false
        @Flag(help: "Group admin (leader).") var admin = false
        func run() async throws {
            try await data.admin().addMember(team: team, group: group, agent: agent, kind: dynamic ? .dynamic : .static, admin: admin)
        }
    }
    struct Remove: AsyncParsableCommand {
        @OptionGroup var data: DataOptions
        @Option var team: String
        @Option var group: Int64
        @Option var agent: String
        func run() async throws { try await data.admin().removeMember(team: team, group: group, agent: agent) }
    }
}

/// `coccd extension add|remove`
struct ExtensionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "extension", abstract: "Manage a team's extensions.",
        subcommands: [Add.self, Remove.self])
    struct Add: AsyncParsableCommand {
        @OptionGroup var data: DataOptions
        @Option var team: String
        @Argument var number: String
        func run() async throws { try await data.admin().addExtension(team: team, number: number) }
    }
    struct Remove: AsyncParsableCommand {
        @OptionGroup var data: DataOptions
        @Option var team: String
        @Argument var number: String
        func run() async throws { try await data.admin().removeExtension(team: team, number: number) }
    }
}

/// `coccd passwd --team T (--agent N | --account U) --password P`
struct PasswordCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "passwd", abstract: "Set an agent's or an account's password.")
    @OptionGroup var data: DataOptions
    @Option var team: String
    @Option var agent: String?
    @Option var account: String?
    @Option var password: String

    func validate() throws {
        guard (agent == nil) != (account == nil) else { throw ValidationError("name exactly one of --agent and --account") }
    }

    func run() async throws {
        let admin = try await data.admin()
        if let agent { try await admin.setAgent(team: team, number: agent, password: password) }
        if let account { try await admin.setAccount(team: team, username: account, password: password) }
    }
}

/// `coccd directory load FILE`
struct DirectoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "directory", abstract: "Load a whole directory from a JSON file.",
        subcommands: [Load.self])
    struct Load: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add the teams, accounts, agents, groups and members of a JSON file (see Config/directory.example.json).")
        @OptionGroup var data: DataOptions
        @Argument var file: String
        func run() async throws { try await data.admin().load(contentsOf: URL(fileURLWithPath: file)) }
    }
}
