import ArgumentParser
import CoccCampaigns
import CoccEngine
import CoccStorage
import CoccStore
import Foundation

extension DataOptions {
    /// The campaign tables and a team's id.
    func campaigns(team identity: String) async throws -> (CampaignStore, Int64) {
        let store = try await openStore()
        guard let team = try await store.loadDirectory().team(identity: identity) else { throw ValidationError("no team \(identity)") }
        return (store, team.id)
    }

    /// `coccd team update <team> --allow-agent-import yes|no`.
    func setAgentImports(team: String, _ value: String) async throws {
        guard let allowed = ["yes": true, "no": false][value.lowercased()] else {
            throw ValidationError("--allow-agent-import is yes or no")
        }
        let (c, id) = try await campaigns(team: team)
        try await c.setAllowsAgentImports(team: id, allowed)
    }

    func agentImports(team: String) async throws -> Bool {
        let (c, id) = try await campaigns(team: team)
        return try await c.allowsAgentImports(team: id)
    }
}

/// `coccd package add|list|customers`
struct PackageCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "package", abstract: "Customer packages (what importWS fills).",
        subcommands: [Add.self, List.self, Customers.self])
    struct Add: AsyncParsableCommand {
        @OptionGroup var data: DataOptions
        @Option var team: String
        @Option var name: String
        @Flag(help: "On the team's master customer table: a customer already in the team is found in any package (changepackage applies).")
        var master = false
        func run() async throws {
            let (c, team) = try await data.campaigns(team: team)
            print("package id \(try await c.createPackage(team: team, name: name, master: master))")
        }
    }
    struct List: AsyncParsableCommand {
        @OptionGroup var data: DataOptions
        @Option var team: String
        func run() async throws {
            let (c, team) = try await data.campaigns(team: team)
            for p in try await c.packages(team: team) { print("\(p.id)\t\(p.name)\t\(p.master ? "master" : "own")") }
        }
    }
    struct Customers: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A package's customers.")
        @OptionGroup var data: DataOptions
        @Option var team: String
        @Option(help: "Package id or name.") var package: String
        @Option var limit = 100
        func run() async throws {
            let (c, team) = try await data.campaigns(team: team)
            guard let p = try await c.package(team: team, name: package) else { throw ValidationError("no package \(package)") }
            for customer in try await c.customers(package: p.id, limit: limit) {
                let fields = customer.fields.filter { !$0.value.isEmpty }.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
                print("\(customer.id)\tstatus=\(customer.status)\tagent=\(customer.agent)\t\(fields.joined(separator: " "))")
            }
        }
    }
}

/// `coccd field add|list`
struct FieldCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "field", abstract: "Custom customer fields (import columns).",
        subcommands: [Add.self, List.self])
    struct Add: AsyncParsableCommand {
        @OptionGroup var data: DataOptions
        @Option var team: String
        @Option(help: "Column name: letters, digits, _.") var name: String
        @Option(name: .customLong("label-cn")) var labelCN: String
        @Option(name: .customLong("label-en")) var labelEN: String
        func run() async throws {
            let (c, team) = try await data.campaigns(team: team)
            try await c.addField(team: team, name: name, cn: labelCN, en: labelEN)
        }
    }
    struct List: AsyncParsableCommand {
        @OptionGroup var data: DataOptions
        @Option var team: String
        func run() async throws {
            let (c, team) = try await data.campaigns(team: team)
            let fields = try await c.fields(team: team)
            for f in CustomerFields.system { print("\(f.name)\t\(f.cn)\t\(f.en)\tsystem") }
            for f in fields.custom { print("\(f.name)\t\(f.cn)\t\(f.en)\tcustom") }
        }
    }
}

/// `coccd campaign add|list|start|pause|stop|predial`
struct CampaignCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "campaign", abstract: "Outbound campaigns and their pre-dial lists.",
        subcommands: [Add.self, List.self, Start.self, Pause.self, Stop.self, Predial.self])
    struct Add: AsyncParsableCommand {
        @OptionGroup var data: DataOptions
        @Option var team: String
        @Option var name: String
        @Option(help: "The agent group that works it.") var group: Int64
        @Option(help: "Package id or name.") var package: String
        @Option(help: "progressive (the dialer calls) or preview.") var mode = "progressive"
        func run() async throws {
            let (c, team) = try await data.campaigns(team: team)
            guard let p = try await c.package(team: team, name: package) else { throw ValidationError("no package \(package)") }
            guard let m = Campaign.Mode(rawValue: mode) else { throw ValidationError("mode is progressive or preview") }
            print("campaign id \(try await c.createCampaign(team: team, name: name, groupID: group, packageID: p.id, mode: m))")
        }
    }
    struct List: AsyncParsableCommand {
        @OptionGroup var data: DataOptions
        @Option var team: String
        func run() async throws {
            let (c, team) = try await data.campaigns(team: team)
            for x in try await c.campaigns(team: team) {
                print("\(x.id)\t\(x.name)\tgroup=\(x.groupID)\tpackage=\(x.packageID)\t\(x.mode.rawValue)\t\(x.state.rawValue)")
            }
        }
    }
    struct StateOptions: ParsableArguments {
        @OptionGroup var data: DataOptions
        @Option var team: String
        @Argument(help: "Campaign id or name.") var campaign: String
        func set(_ state: Campaign.State) async throws {
            let (c, team) = try await data.campaigns(team: team)
            guard let x = try await c.campaign(team: team, id: campaign) else { throw ValidationError("no campaign \(campaign)") }
            try await c.setState(campaign: x.id, state)
            print("campaign \(x.id) \(state.rawValue)")
        }
    }
    struct Start: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The dialer starts calling the pre-dial list.")
        @OptionGroup var options: StateOptions
        func run() async throws { try await options.set(.running) }
    }
    struct Pause: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "No new dials; calls in progress finish.")
        @OptionGroup var options: StateOptions
        func run() async throws { try await options.set(.paused) }
    }
    struct Stop: AsyncParsableCommand {
        @OptionGroup var options: StateOptions
        func run() async throws { try await options.set(.stopped) }
    }
    struct Predial: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The campaign's pre-dial list.")
        @OptionGroup var data: DataOptions
        @Option var team: String
        @Argument(help: "Campaign id or name.") var campaign: String
        @Option var limit = 100
        func run() async throws {
            let (c, team) = try await data.campaigns(team: team)
            guard let x = try await c.campaign(team: team, id: campaign) else { throw ValidationError("no campaign \(campaign)") }
            for e in try await c.predial(campaign: x.id, limit: limit) {
                print(
                    "\(e.id)\tcustomer=\(e.customerID)\tphone=\(e.phone)\tpriority=\(e.priority)\tstatus=\(e.status)\tattempts=\(e.attempts)\tresult=\(e.lastResult)\tagent=\(e.agent)"
                )
            }
        }
    }
}

/// `coccd import status`
struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "import", abstract: "importWS file tasks.", subcommands: [Status.self])
    struct Status: AsyncParsableCommand {
        @OptionGroup var data: DataOptions
        @Option var team: String
        @Option(help: "One task, with its problems; default: the last 50.") var task: Int64?
        func run() async throws {
            let (c, team) = try await data.campaigns(team: team)
            let tasks = try await (task == nil ? c.tasks(team: team) : (c.task(id: task!).map { [$0] } ?? []))
            for t in tasks where t.teamID == team {
                print(
                    "\(t.id)\t\(t.state.rawValue)\tcampaign=\(t.campaignID)\trows=\(t.rowsRead)\timported=\(t.imported)\tupdated=\(t.updated)"
                        + "\tduplicates=\(t.duplicates)\trejected=\(t.rejected)\tpredialed=\(t.predialed)\t\(t.url)\(t.error.isEmpty ? "" : "\t" + t.error)"
                )
                if task != nil { for p in t.problems { print("  row \(p.row): BackMsg_\(p.code) \(p.reason)") } }
            }
        }
    }
}
