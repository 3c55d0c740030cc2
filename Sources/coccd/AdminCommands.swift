import ArgumentParser
import CoccEngine
import CoccProvisioning
import CoccStorage
import CoccStore
import Foundation

/// `coccd team add|list|update|remove`
struct TeamCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "team", abstract: "Manage teams (orgidentity).",
        subcommands: [Add.self, List.self, Update.self, Remove.self])
    struct Add: AsyncParsableCommand {
        @OptionGroup var data: DataOptions
        @Argument(help: "The team's orgidentity.") var identity: String
        @Option var name: String = ""
        @Option(help: "Fixed numeric id (AgentTeamId).") var id: Int64?
        func run() async throws { print("team \(identity) id \(try await data.admin().addTeam(identity: identity, name: name, id: id))") }
    }
    struct List: AsyncParsableCommand {
        @OptionGroup var data: DataOptions
        func run() async throws {
            for t in try await data.openStore().loadDirectory().teams.values.sorted(by: { $0.id < $1.id }) {
                print(
                    "\(t.id)\t\(t.identity)\t\(t.name)\tevent_url=\(t.eventURL)\tlanguage=\(t.language)"
                        + "\tagent_import=\(try await data.agentImports(team: t.identity) ? "yes" : "no")")
            }
        }
    }
    struct Update: AsyncParsableCommand {
        @OptionGroup var data: DataOptions
        @Argument var identity: String
        @Option var name: String?
        @Option(name: .customLong("event-url"), help: "Where team events are POSTed.") var eventURL: String?
        @Option(help: "Reply message language for the team: cn, en, or empty for the server's setting.") var language: String?
        @Option(
            name: .customLong("allow-agent-import"), help: "yes: the team's agents may call importWS too; no (the default): accounts only.")
        var allowAgentImport: String?
        func run() async throws {
            try await data.admin().updateTeam(identity: identity, name: name, eventURL: eventURL, language: language)
            if let allowAgentImport { try await data.setAgentImports(team: identity, allowAgentImport) }
        }
    }
    struct Remove: AsyncParsableCommand {
        @OptionGroup var data: DataOptions
        @Argument var identity: String
        func run() async throws { try await data.admin().removeTeam(identity: identity) }
    }
}

/// `coccd account add|list|update|remove`
struct AccountCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "account", abstract: "Manage accounts (usertype=account).",
        subcommands: [Add.self, List.self, Update.self, Remove.self])
    struct Add: AsyncParsableCommand {
        @OptionGroup var data: DataOptions
        @Option var team: String
        @Argument var username: String
        @Option var password: String
        @Option var surname: String = ""
        func run() async throws { try await data.admin().addAccount(team: team, username: username, password: password, surname: surname) }
    }
    struct List: AsyncParsableCommand {
        @OptionGroup var data: DataOptions
        @Option var team: String
        func run() async throws {
            let (d, t) = try await data.directory(team: team)
            for a in d.accounts.values.filter({ $0.teamID == t.id }).sorted(by: { $0.username < $1.username }) {
                print("\(a.username)\tsurname=\(a.surname)\t\(a.enabled ? "enabled" : "disabled")")
            }
        }
    }
    struct Update: AsyncParsableCommand {
        @OptionGroup var data: DataOptions
        @Option var team: String
        @Argument var username: String
        @Option var surname: String?
        @Flag(inversion: .prefixedEnableDisable) var enabled: Bool?
        func run() async throws { try await data.admin().setAccount(team: team, username: username, enabled: enabled, surname: surname) }
    }
    struct Remove: AsyncParsableCommand {
        @OptionGroup var data: DataOptions
        @Option var team: String
        @Argument var username: String
        func run() async throws { try await data.admin().removeAccount(team: team, username: username) }
    }
}

/// `coccd agent add|list|update|remove`
struct AgentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agent", abstract: "Manage agents.",
        subcommands: [Add.self, List.self, Update.self, Remove.self])
    struct Add: AsyncParsableCommand {
        @OptionGroup var data: DataOptions
        @Option var team: String
        @Argument(help: "The agent number.") var number: String
        @Option var password: String
        @Option var name: String = ""
        @Option(name: .customLong("extension"), help: "Default extension (default: the agent number).") var exten: String?
        @Option(help: "The account the agent belongs to.") var account: String?
        func run() async throws {
            try await data.admin().addAgent(
                team: team, number: number, name: name, password: password, extension: exten ?? number, account: account)
        }
    }
    struct List: AsyncParsableCommand {
        @OptionGroup var data: DataOptions
        @Option var team: String
        func run() async throws {
            let (d, t) = try await data.directory(team: team)
            for a in d.agents(ofTeam: t.id) {
                let groups = d.memberships(ofAgent: a.id).map { "\($0.groupID):\($0.kind.rawValue)\($0.isGroupAdmin ? ":admin" : "")" }
                print("\(a.number)\t\(a.name)\textension=\(a.extensionNumber)\tgroups=\(groups.joined(separator: ","))")
            }
        }
    }
    struct Update: AsyncParsableCommand {
        @OptionGroup var data: DataOptions
        @Option var team: String
        @Argument var number: String
        @Option var name: String?
        @Option(name: .customLong("extension")) var exten: String?
        @Flag(inversion: .prefixedEnableDisable, help: "Whether the agent may dial out (makeCall).") var outbound: Bool?
        func run() async throws {
            try await data.admin().setAgent(
                team: team, number: number, name: name, extension: exten, outboundRestricted: outbound.map { !$0 })
        }
    }
    struct Remove: AsyncParsableCommand {
        @OptionGroup var data: DataOptions
        @Option var team: String
        @Argument var number: String
        func run() async throws { try await data.admin().removeAgent(team: team, number: number) }
    }
}
