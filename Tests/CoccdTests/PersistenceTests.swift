import CoccEngine
import CoccOperations
import CoccProvisioning
import CoccServer
import CoccStorage
import CoccStore
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

@Suite("persistence and directory changes")
struct PersistenceTests {
    let logger = Logger(label: "test")

    @Test
    func sessionsSurviveARestart() async throws {
        let f = try await Fixture()
        try await f.application().test(.router) { client async throws in
            _ = try await call(client, .soap, "login", Fixture.agent8001)
            _ = try await call(client, .soap, "queueAction", Fixture.agent8001.with(["type": "1", "list": "2", "deviceexten": "8010"]))
            _ = try await call(client, .soap, "workwayAction", Fixture.agent8001.with(["status": "dialout", "agent_group_id": "2"]))
            _ = try await call(client, .soap, "acwAction", Fixture.agent8001.with(["type": "2", "agent_group_id": "1"]))
            _ = try await call(client, .soap, "queuePause", Fixture.agent8001.with(["type": "1", "pause_reason": "training", "dnd": "y"]))
        }
        let before = try #require(await f.center.engine(team: 1).sessionSnapshot(agentID: 1))
        let restarted = try await f.restarted()
        let after = try #require(await restarted.engine(team: 1).sessionSnapshot(agentID: 1))
        #expect(after == before)
        #expect(after.extensionNumber == "8010" && after.dnd && after.pause?.reason == "training")
        #expect(after.signIn(of: 2)?.workMode == .dialout && after.signIn(of: 1)?.afterCallWork == .afterAnswer)
        try await f.application(center: restarted).test(.router) { client async throws in
            #expect(try await call(client, .http, "agentStatus", Fixture.agent8001).extra == "1-pause,2-pause,")
        }
    }

    @Test
    func anotherProcessesChangesAreSeen() async throws {
        let f = try await Fixture()
        await #expect(try f.center.reloadDirectoryIfChanged(logger: logger) == false)
        // The CLI opens its own connection to the same file.
        let cli = DirectoryAdmin(store: try SQLiteStore(path: f.directory.appendingPathComponent("coccd.sqlite").path), rounds: 500)
        try await cli.addAgent(team: "demo", number: "8100", name: "New", password: "pw", extension: "8100")
        #expect(f.center.directory.agent(team: 1, number: "8100") == nil)
        await #expect(try f.center.reloadDirectoryIfChanged(logger: logger))
        #expect(f.center.directory.agent(team: 1, number: "8100")?.name == "New")
        #expect(f.center.directory.hasExtension(team: 1, number: "8100"))
    }

    @Test
    func provisioningErrorsAreClear() async throws {
        let f = try await Fixture()
        await #expect(throws: DirectoryAdmin.AdminError.notFound("team nope")) {
            try await f.admin.addAgent(team: "nope", number: "1", password: "x", extension: "1")
        }
        await #expect(throws: DirectoryAdmin.AdminError.notFound("agent 4242")) {
            try await f.admin.addMember(team: "demo", group: 1, agent: "4242", kind: .static)
        }
        await #expect(throws: DirectoryAdmin.AdminError.notFound("group 3")) {
            try await f.admin.addMember(team: "demo", group: 3, agent: "8001", kind: .static)
        }
        await #expect(throws: (any Error).self) { try await f.admin.addTeam(identity: "demo", name: "again") }
        await #expect(throws: (any Error).self) { try await f.admin.addGroup(team: "demo", name: "dup queue", queueNumber: "6001") }
        await #expect(try f.admin.seedDemoIfEmpty() == false)
    }
}

@Suite("directory files")
struct DirectoryFileTests {
    @Test
    func aFailingFileChangesNothing() async throws {
        let f = try await Fixture()
        let before = try await f.store.loadDirectory()
        let file = DirectoryFile(teams: [
            .init(
                identity: "newteam", name: "New", accounts: [.init(username: "u", password: "p")],
                agents: [.init(number: "1", password: "p")],
                groups: [.init(name: "G", queueNumber: "1", members: [.init(agent: "404", kind: .static)])]
            )
        ])
        await #expect(throws: DirectoryAdmin.AdminError.notFound("agent 404")) { try await f.admin.load(file) }
        let after = try await f.store.loadDirectory()
        #expect(after.revision == before.revision)
        #expect(after.team(identity: "newteam") == nil && after.agents.count == before.agents.count)
        // A duplicate is said plainly.
        await #expect(throws: DirectoryAdmin.AdminError.self) { try await f.admin.addTeam(identity: "demo", name: "again") }
    }

    @Test
    func theExampleFileLoads() async throws {
        let f = try await Fixture()
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        try await f.admin.load(contentsOf: root.appendingPathComponent("Config/directory.example.json"))
        let d = try await f.store.loadDirectory()
        let acme = try #require(d.team(identity: "acme"))
        #expect(d.agents(ofTeam: acme.id).map(\.number) == ["7001", "7002", "7003"])
        #expect(d.hasExtension(team: acme.id, number: "7101"))
        let hotline = try #require(d.group(team: acme.id, queueNumber: "7600"))
        #expect(d.memberships(ofGroup: hotline.id).map(\.kind) == [.static, .static, .dynamic])
    }
}
