import CoccEngine
import CoccOperations
import CoccProvisioning
import CoccSimulator
import CoccStorage
import CoccStore
import Foundation
import HummingbirdTesting
import Testing

/// A SQLite store with real content, made through the engine and the store protocols: three
/// teams (one at id 7), logins, a closed and an open pause, a finished call and a live one,
/// events of which the oldest were pruned (team 1's log starts at 6), a delivery cursor, leg
/// ids taken, and a campaign with 25 customers, a custom field and an import task.
struct CopySource {
    let fixture: Fixture
    /// An agent provisioned then removed: the target must not hand its id out again.
    let removedAgent: Int64

    static func make() async throws -> CopySource {
        let f = try await Fixture()
        let start = f.clock()
        for i in 1...5 {
            _ = try await f.store.appendEvent(teamID: 1, at: start.addingTimeInterval(-48 * 3600), agentIDs: [1]) {
                "source=SYSTEM&event=old\(i)&eventid=\($0)&"
            }
        }
        _ = try await f.admin.addTeam(identity: "third", name: "Third", id: 7)
        _ = try await f.admin.addAccount(team: "third", username: "chief", password: "chiefpw", surname: "Chief")
        let removed = try await f.admin.addAgent(team: "demo", number: "8099", password: "pw", extension: "8099")
        try await f.admin.removeAgent(team: "demo", number: "8099")
        _ = try await f.center.reloadDirectoryIfChanged(logger: Fixture.quiet)
        try await f.application().test(.router) { client async throws in
            for agent in ["8001", "8002", "8003"] { _ = try await call(client, .http, "login", Fixture.agent(agent)) }
            let pause = Fixture.agent("8002").with(["dnd": "1"])
            _ = try await call(client, .http, "queuePause", pause.with(["type": "1", "pause_reason": "lunch"]))
            await f.advance(60)
            _ = try await call(client, .http, "queuePause", pause.with(["type": "2"]))
            _ = try await call(client, .http, "queuePause", pause.with(["type": "1", "pause_reason": "rest"]))
            _ = try await call(client, .http, "makeCall", OutboundCallTests.dial)
            await f.advance(3)
            try await f.pbx.farEndHangup(uniqueid: 19867)
            await f.settle()
            let dial = Fixture.agent("8003").with(["targetdn": "13800000001", "targettype": "exter", "agentgroupid": "1"])
            _ = try await call(client, .http, "makeCall", dial)
            await f.advance(3)
        }
        await f.settle()
        _ = try await f.store.appendEvent(teamID: 2, at: f.clock(), agentIDs: []) { "source=SYSTEM&event=hello&eventid=\($0)&" }
        try await f.store.pruneEvents(before: start.addingTimeInterval(-24 * 3600))
        #expect(try await f.store.firstEventID(teamID: 1) == 6)
        var delivery = try await f.store.deliveryState(teamID: 1)
        delivery.cursor = 7
        delivery.attempts = 2
        delivery.lastError = "HTTP 500"
        try await f.store.saveDelivery(delivery)
        _ = try await f.store.reserveLegIDs(count: 100)

        let package = try await f.store.createPackage(team: 1, name: "leads", master: false)
        try await f.store.addField(team: 1, name: "vip", cn: "贵宾", en: "VIP")
        let campaignID = try await f.store.createCampaign(team: 1, name: "spring", groupID: 1, packageID: package, mode: .progressive)
        let campaign = try #require(try await f.store.campaign(team: 1, id: "spring"))
        var options = ImportOptions()
        options.phoneField = "phone1"
        let records = (0..<25).map { i in
            ImportRecord(row: i + 2, fields: ["phone1": String(13_900_000_000 + i), "name": "c\(i)", "vip": i % 2 == 0 ? "yes" : ""])
        }
        _ = try await f.store.importBatch(campaign: campaign, records: records, options: options, now: f.clock())
        try await f.store.setAllowsAgentImports(team: 1, true)
        _ = try await f.store.createTask(
            team: 1, campaign: campaignID, source: "http", url: URL(string: "http://crm.example/list.csv")!, user: "crm",
            password: "crm-secret", runAt: f.clock().addingTimeInterval(3600), options: options, now: f.clock())
        await f.written()
        // What the copy tests lean on is really there.
        let contents = try await StoreContents.read(f.store)
        #expect(contents.teams.map(\.id) == [1, 2, 7] && contents.sessions[0].count == 3 && contents.pauses.joined().count == 2)
        #expect(contents.callRecords[0].count == 1 && contents.liveCalls[0].count == 1 && contents.teamEvents[0].count > 10)
        #expect(contents.customers.joined().count == 25 && contents.predial.joined().count == 25 && contents.tasks[0].count == 1)
        return CopySource(fixture: f, removedAgent: removed)
    }
}

/// What a store holds, read through the store protocols only, in a stable order.
struct StoreContents {
    var revision: Int64
    var teams: [Team]
    var accounts: [Account]
    var agents: [Agent]
    var groups: [AgentGroup]
    var memberships: [Membership]
    var extensions: [PhoneExtension]
    var sessions: [[AgentSession]]
    var pauses: [[PauseRecord]]
    var teamEvents: [[StoredEvent]]
    var agentEvents: [[StoredEvent]]
    var eventBounds: [[Int64]]
    var delivery: DeliveryState
    var callRecords: [[CallRecord]]
    var liveCalls: [[LiveCallRecord]]
    var packages: [[CustomerPackage]]
    var campaigns: [Campaign]
    var fields: [[CustomerFields.Field]]
    var customers: [[Customer]]
    var predial: [[PredialEntry]]
    var tasks: [[ImportTask]]
    var agentImports: [Bool]

    static func read(_ store: any DataStore) async throws -> StoreContents {
        let directory = try await store.loadDirectory()
        let teams = directory.teams.values.sorted { $0.id < $1.id }
        let agents = directory.agents.values.sorted { $0.id < $1.id }
        var contents = StoreContents(
            revision: directory.revision, teams: teams, accounts: directory.accounts.values.sorted { $0.id < $1.id }, agents: agents,
            groups: directory.groups.values.sorted { $0.id < $1.id },
            memberships: directory.memberships.sorted { ($0.agentID, $0.groupID) < ($1.agentID, $1.groupID) },
            extensions: directory.extensions.sorted { ($0.teamID, $0.number) < ($1.teamID, $1.number) }, sessions: [], pauses: [],
            teamEvents: [], agentEvents: [], eventBounds: [], delivery: try await store.deliveryState(teamID: 1), callRecords: [],
            liveCalls: [], packages: [], campaigns: try await store.campaigns().sorted { $0.id < $1.id }, fields: [], customers: [],
            predial: [], tasks: [], agentImports: [])
        for team in teams.map(\.id) {
            contents.sessions.append(try await store.loadSessions(teamID: team).sorted { $0.agentID < $1.agentID })
            contents.teamEvents.append(try await store.events(teamID: team, after: 0, limit: 10_000))
            contents.eventBounds.append([
                try await store.firstEventID(teamID: team), try await store.lastEventID(teamID: team, atOrBefore: .distantFuture),
            ])
            contents.callRecords.append(
                try await store.callRecords(teamID: team, from: .distantPast, to: .distantFuture, agentNumber: nil, limit: 10_000)
                    .sorted { $0.sessionid < $1.sessionid })
            contents.liveCalls.append(try await store.liveCalls(teamID: team))
            let packages = try await store.packages(team: team).sorted { $0.id < $1.id }
            contents.packages.append(packages)
            for package in packages { contents.customers.append(try await store.customers(package: package.id).sorted { $0.id < $1.id }) }
            contents.fields.append(try await store.fields(team: team).custom)
            contents.tasks.append(try await store.tasks(team: team).sorted { $0.id < $1.id })
            contents.agentImports.append(try await store.allowsAgentImports(team: team))
        }
        for agent in agents {
            contents.pauses.append(try await store.pauses(agentID: agent.id, overlapping: .distantPast).sorted { $0.id < $1.id })
            contents.agentEvents.append(try await store.events(teamID: agent.teamID, after: 0, limit: 10_000, agentID: agent.id))
        }
        for campaign in contents.campaigns {
            contents.predial.append(try await store.predial(campaign: campaign.id).sorted { $0.id < $1.id })
        }
        return contents
    }

    /// One expectation per part, so that a failure says which part differs.
    static func expectSame(_ copy: StoreContents, _ original: StoreContents, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(copy.revision == original.revision, sourceLocation: sourceLocation)
        #expect(copy.teams == original.teams, sourceLocation: sourceLocation)
        #expect(copy.accounts == original.accounts, sourceLocation: sourceLocation)
        #expect(copy.agents == original.agents, sourceLocation: sourceLocation)
        #expect(copy.groups == original.groups, sourceLocation: sourceLocation)
        #expect(copy.memberships == original.memberships, sourceLocation: sourceLocation)
        #expect(copy.extensions == original.extensions, sourceLocation: sourceLocation)
        #expect(copy.sessions == original.sessions, sourceLocation: sourceLocation)
        #expect(copy.pauses == original.pauses, sourceLocation: sourceLocation)
        #expect(copy.teamEvents == original.teamEvents, sourceLocation: sourceLocation)
        #expect(copy.agentEvents == original.agentEvents, sourceLocation: sourceLocation)
        #expect(copy.eventBounds == original.eventBounds, sourceLocation: sourceLocation)
        #expect(copy.delivery == original.delivery, sourceLocation: sourceLocation)
        #expect(copy.callRecords == original.callRecords, sourceLocation: sourceLocation)
        #expect(copy.liveCalls == original.liveCalls, sourceLocation: sourceLocation)
        #expect(copy.packages == original.packages, sourceLocation: sourceLocation)
        #expect(copy.campaigns == original.campaigns, sourceLocation: sourceLocation)
        #expect(copy.fields == original.fields, sourceLocation: sourceLocation)
        #expect(copy.customers == original.customers, sourceLocation: sourceLocation)
        #expect(copy.predial == original.predial, sourceLocation: sourceLocation)
        #expect(copy.tasks == original.tasks, sourceLocation: sourceLocation)
        #expect(copy.agentImports == original.agentImports, sourceLocation: sourceLocation)
    }
}
