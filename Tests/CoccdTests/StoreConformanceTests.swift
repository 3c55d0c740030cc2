import CoccPostgres
import CoccProvisioning
import CoccStorage
import CoccStore
import Foundation
import Testing

/// One contract for every store: the same tests, parameterised by store, for every protocol of
/// `CoccStorage`. A new implementation joins by adding a case to ``StoreKind``.
enum StoreKind: String, CaseIterable, CustomStringConvertible, Sendable {
    case sqlite
    case postgres

    /// The stores this machine can test: PostgreSQL where a server can be had (``TestPostgres``:
    /// `COCCD_TEST_POSTGRES_URL`, or initdb for a throwaway cluster), else SQLite alone.
    static var allCases: [StoreKind] { TestPostgres.available ? [.sqlite, .postgres] : [.sqlite] }

    var description: String { rawValue }

    /// A fresh, empty store, and a way to open it again (a restart) or a second time at once (a
    /// second process or node on the same data).
    func make() async throws -> StoreUnderTest {
        switch self {
        case .sqlite:
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("coccd-conformance-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let path = directory.appendingPathComponent("coccd.sqlite").path
            return StoreUnderTest(
                open: { try SQLiteStore(path: path) },
                seed: { _, team in
                    // Provisioning is per implementation: on SQLite, the CLI's DirectoryAdmin
                    // on its own connection, as `coccd agent add` beside a running server.
                    let admin = DirectoryAdmin(store: try SQLiteStore(path: path), rounds: 500)
                    let teamID = try await admin.addTeam(identity: team, name: team)
                    let agent = try await admin.addAgent(team: team, number: "8001", password: "pw", extension: "8001")
                    let group = try await admin.addGroup(team: team, name: "sales", queueNumber: "6001")
                    return (teamID, agent, group)
                },
                remove: { try? FileManager.default.removeItem(at: directory) })
        case .postgres:
            // A database of its own on the test server; every store opened on it is closed,
            // and the database dropped, by `remove`.
            let database = try await TestPostgres.makeDatabase()
            let opened = TestPostgres.OpenStores()
            return StoreUnderTest(
                open: { opened.keep(try await PostgresStore.open(url: database.url, logger: TestPostgres.logger)) },
                seed: { _, team in
                    // As on SQLite: the CLI's DirectoryAdmin, on a store (a pool) of its own.
                    let cli = opened.keep(try await PostgresStore.open(url: database.url, logger: TestPostgres.logger))
                    let admin = DirectoryAdmin(store: cli, rounds: 500)
                    let teamID = try await admin.addTeam(identity: team, name: team)
                    let agent = try await admin.addAgent(team: team, number: "8001", password: "pw", extension: "8001")
                    let group = try await admin.addGroup(team: team, name: "sales", queueNumber: "6001")
                    return (teamID, agent, group)
                },
                remove: { opened.closeAll(then: database.drop) })
        }
    }
}

struct StoreUnderTest {
    let open: @Sendable () async throws -> any DataStore
    /// Adds a team with agent 8001 and group 6001; answers their ids.
    let seed: (any DataStore, String) async throws -> (team: Int64, agent: Int64, group: Int64)
    let remove: () -> Void
}

@Suite("store conformance: every store keeps the same contract")
struct StoreConformanceTests {
    @Test(arguments: StoreKind.allCases)
    func theDirectoryAndItsRevision(_ kind: StoreKind) async throws {
        let under = try await kind.make()
        defer { under.remove() }
        let store = try await under.open()
        let before = try await store.directoryRevision()
        let ids = try await under.seed(store, "acme")
        await #expect(try store.directoryRevision() != before)
        let directory = try await store.loadDirectory()
        #expect(directory.team(identity: "acme")?.id == ids.team)
        #expect(directory.agent(team: ids.team, number: "8001")?.id == ids.agent)
        #expect(directory.group(team: ids.team, queueNumber: "6001")?.id == ids.group)
        #expect(directory.hasExtension(team: ids.team, number: "8001"))
    }

    @Test(arguments: StoreKind.allCases)
    func sessionsAndPausesSurviveARestart(_ kind: StoreKind) async throws {
        let under = try await kind.make()
        defer { under.remove() }
        var store = try await under.open()
        let ids = try await under.seed(store, "acme")
        let agent = try await #require(try store.loadDirectory().agents[ids.agent])
        var session = AgentSession(agent: agent, now: Date(timeIntervalSince1970: 1_000))
        session.loggedIn = true
        session.groups = [.init(groupID: ids.group, afterCallWork: .afterAnswer, workMode: .all, since: Date(timeIntervalSince1970: 1_000))]
        try await store.saveSession(session)
        session.dnd = true
        try await store.saveSession(session)  // an upsert, not a second row
        try await store.startPause(teamID: ids.team, agentID: ids.agent, reason: "rest", at: Date(timeIntervalSince1970: 1_100))
        try await store.endPause(agentID: ids.agent, at: Date(timeIntervalSince1970: 1_200))
        try await store.startPause(teamID: ids.team, agentID: ids.agent, reason: "meeting", at: Date(timeIntervalSince1970: 1_300))
        // Another agent's end closes none of this agent's pauses.
        try await store.endPause(agentID: ids.agent + 1_000, at: Date(timeIntervalSince1970: 1_400))

        store = try await under.open()
        await #expect(try store.loadSessions(teamID: ids.team) == [session])
        let pauses = try await store.pauses(agentID: ids.agent, overlapping: Date(timeIntervalSince1970: 1_150))
        #expect(pauses.map(\.reason) == ["rest", "meeting"])
        #expect(pauses[0].endedAt == Date(timeIntervalSince1970: 1_200))
        #expect(pauses[1].endedAt == nil)
        // A pause that ended before `since` is not in the day's history.
        await #expect(try store.pauses(agentID: ids.agent, overlapping: Date(timeIntervalSince1970: 1_250)).map(\.reason) == ["meeting"])
    }

    @Test(arguments: StoreKind.allCases)
    func eventIDsAreConsecutivePerTeamAndChannelsFilter(_ kind: StoreKind) async throws {
        let under = try await kind.make()
        defer { under.remove() }
        let store = try await under.open()
        let a = try await under.seed(store, "acme")
        let b = try await under.seed(store, "other")
        let at = Date(timeIntervalSince1970: 2_000)
        let e1 = try await store.appendEvent(teamID: a.team, at: at, agentIDs: [a.agent]) { "a\($0)" }
        let e2 = try await store.appendEvent(teamID: a.team, at: at.addingTimeInterval(1), agentIDs: [], teamChannel: true) { "a\($0)" }
        let own = try await store.appendEvent(teamID: a.team, at: at.addingTimeInterval(2), agentIDs: [a.agent], teamChannel: false) {
            "mine\($0)"
        }
        let other = try await store.appendEvent(teamID: b.team, at: at, agentIDs: []) { "b\($0)" }
        #expect([e1.eventid, e2.eventid, own.eventid] == [1, 2, 3])
        #expect(other.eventid == 1)
        #expect(e1.message == "a1")
        await #expect(try store.events(teamID: a.team, after: 0, limit: 10).map(\.message) == ["a1", "a2"])
        await #expect(try store.events(teamID: a.team, after: 0, limit: 10, agentID: a.agent).map(\.message) == ["a1", "mine3"])
        await #expect(try store.events(teamID: a.team, after: 1, limit: 1).map(\.eventid) == [2])
        await #expect(try store.lastEventID(teamID: a.team, atOrBefore: .distantFuture) == 3)
        await #expect(try store.lastEventID(teamID: a.team, atOrBefore: at.addingTimeInterval(1)) == 2)
        await #expect(try store.firstEventID(teamID: a.team) == 1)
        await #expect(try store.firstEventID(teamID: 999) == 0)
    }

    @Test(arguments: StoreKind.allCases)
    func twoWritersOnOneStoreNeverShareAnEventIDOrALegID(_ kind: StoreKind) async throws {
        let under = try await kind.make()
        defer { under.remove() }
        let first = try await under.open()
        let ids = try await under.seed(first, "acme")
        let second = try await under.open()
        let perWriter = 200
        let results = try await withThrowingTaskGroup(of: ([Int64], [Int64]).self) { group in
            for store in [first, second] {
                group.addTask {
                    var events: [Int64] = []
                    var legs: [Int64] = []
                    for _ in 0..<perWriter {
                        await events.append(try store.appendEvent(teamID: ids.team, at: Date(), agentIDs: []) { "e\($0)" }.eventid)
                        await legs.append(try store.reserveLegIDs(count: 10))
                    }
                    return (events, legs)
                }
            }
            return try await group.reduce(into: [([Int64], [Int64])]()) { $0.append($1) }
        }
        let events = results.flatMap(\.0).sorted()
        #expect(events == Array(1...Int64(2 * perWriter)))
        // Each reservation is a block of 10 nobody else got.
        let blocks = results.flatMap(\.1).sorted()
        #expect(Set(blocks).count == blocks.count)
        #expect(zip(blocks, blocks.dropFirst()).allSatisfy { $1 - $0 >= 10 })
        // Each event's message carries its own id: render saw the id it was stored under.
        await #expect(try first.events(teamID: ids.team, after: 0, limit: 1_000).allSatisfy { $0.message == "e\($0.eventid)" })
    }

    @Test(arguments: StoreKind.allCases)
    func retentionKeepsTheNewestEventAndWhatABackendHasNotAccepted(_ kind: StoreKind) async throws {
        let under = try await kind.make()
        defer { under.remove() }
        let store = try await under.open()
        let a = try await under.seed(store, "acme")
        let b = try await under.seed(store, "other")
        for i in 0..<10 {
            _ = try await store.appendEvent(teamID: a.team, at: Date(timeIntervalSince1970: Double(100 + i)), agentIDs: []) { "a\($0)" }
            _ = try await store.appendEvent(teamID: b.team, at: Date(timeIntervalSince1970: Double(100 + i)), agentIDs: []) { "b\($0)" }
        }
        // Everything is older than the cutoff: team a keeps its newest, team b what is after its cursor 6.
        let removed = try await store.pruneEvents(before: Date(timeIntervalSince1970: 1_000), heldFrom: [b.team: 6], batch: 3)
        #expect(removed == 9 + 6)
        await #expect(try store.firstEventID(teamID: a.team) == 10)
        await #expect(try store.events(teamID: b.team, after: 0, limit: 20).map(\.eventid) == [7, 8, 9, 10])
        // The next id still follows the newest.
        await #expect(try store.appendEvent(teamID: a.team, at: Date(), agentIDs: []) { "a\($0)" }.eventid == 11)
        // A removed team's old events go too: nothing reads them any more.
        let c = try await under.seed(store, "gone")
        for i in 0..<4 {
            _ = try await store.appendEvent(teamID: c.team, at: Date(timeIntervalSince1970: Double(100 + i)), agentIDs: []) { "c\($0)" }
        }
        try await store.apply([.removeTeam(identity: "gone")])
        #expect(try await store.pruneEvents(before: Date(timeIntervalSince1970: 1_000), heldFrom: [:], batch: 3) >= 3)
        await #expect(try store.events(teamID: c.team, after: 0, limit: 20).count <= 1)
    }

    @Test(arguments: StoreKind.allCases)
    func deliveryStartsAtTheLatestEventAndKeepsItsCursor(_ kind: StoreKind) async throws {
        let under = try await kind.make()
        defer { under.remove() }
        var store = try await under.open()
        let ids = try await under.seed(store, "acme")
        for _ in 0..<3 { _ = try await store.appendEvent(teamID: ids.team, at: Date(), agentIDs: []) { "e\($0)" } }
        var state = try await store.deliveryState(teamID: ids.team)
        #expect(state.cursor == 3)
        #expect(state.secret.count == 64)
        state.cursor = 2
        state.attempts = 4
        state.dead = true
        state.lastError = "HTTP 500"
        try await store.saveDelivery(state)
        store = try await under.open()
        await #expect(try store.deliveryState(teamID: ids.team) == state)
        try await store.replayDelivery(teamID: ids.team, since: 1)
        let replayed = try await store.deliveryState(teamID: ids.team)
        #expect(replayed.cursor == 1 && replayed.attempts == 0 && !replayed.dead && replayed.secret == state.secret)
    }

    @Test(arguments: StoreKind.allCases)
    func callRecordsAndLiveCalls(_ kind: StoreKind) async throws {
        let under = try await kind.make()
        defer { under.remove() }
        var store = try await under.open()
        let ids = try await under.seed(store, "acme")
        func record(_ id: String, at start: Double, agent: String, disposition: String) -> CallRecord {
            CallRecord(
                sessionid: id, teamID: ids.team, direction: "dialin", agentNumber: agent, customerNumber: "139", didNumber: "6001",
                groupID: ids.group, startedAt: Date(timeIntervalSince1970: start), answeredAt: nil,
                endedAt: Date(timeIntervalSince1970: start + 30), disposition: disposition, recording: "", userdata: "u-\(id)",
                modeltype: "", modelID: "")
        }
        try await store.saveCallRecord(record("s1", at: 100, agent: "8001", disposition: "answered"))
        try await store.saveCallRecord(record("s2", at: 200, agent: "8002", disposition: "abandoned"))
        try await store.saveCallRecord(record("s3", at: 300, agent: "8001", disposition: "answered"))
        try await store.saveCallRecord(record("s4", at: 900, agent: "8001", disposition: "answered"))
        let from = Date(timeIntervalSince1970: 100)
        let to = Date(timeIntervalSince1970: 900)
        await #expect(try store.callRecord(sessionid: "s2") == record("s2", at: 200, agent: "8002", disposition: "abandoned"))
        await #expect(
            try store.callRecords(teamID: ids.team, from: from, to: to, agentNumber: nil, limit: 10).map(\.sessionid) == ["s3", "s2", "s1"])
        await #expect(try store.callRecords(teamID: ids.team, from: from, to: to, agentNumber: "8001", limit: 1).map(\.sessionid) == ["s3"])
        let counts = try await store.callCounts(teamID: ids.team, from: from, to: to).sorted { $0.disposition < $1.disposition }
        #expect(
            counts == [
                CallCount(groupID: ids.group, direction: "dialin", disposition: "abandoned", count: 1),
                CallCount(groupID: ids.group, direction: "dialin", disposition: "answered", count: 2),
            ])

        let live = LiveCallRecord(
            sessionid: "live-1", teamID: ids.team, direction: "dialin", agentID: ids.agent, agentExtension: "8001", groupID: ids.group,
            customerNumber: "139", didNumber: "6001", modeltype: "", modelID: "", userdata: "", startedAt: Date(timeIntervalSince1970: 50),
            answeredAt: nil, legs: [.init(uniqueid: 1_001, channel: "SIP/1", source: "CALLER", down: false)])
        try await store.saveLiveCall(live)
        var changed = live
        changed.answeredAt = Date(timeIntervalSince1970: 55)
        try await store.saveLiveCall(changed)
        store = try await under.open()
        await #expect(try store.liveCalls(teamID: ids.team) == [changed])
        await #expect(try store.liveCallTeamIDs() == [ids.team])
        try await store.deleteLiveCall(sessionid: "live-1")
        await #expect(try store.liveCalls(teamID: ids.team).isEmpty)
        await #expect(try store.liveCallTeamIDs().isEmpty)
    }

    @Test(arguments: StoreKind.allCases)
    func theImportHotPathAndTheDialerQueue(_ kind: StoreKind) async throws {
        let under = try await kind.make()
        defer { under.remove() }
        let store = try await under.open()
        let ids = try await under.seed(store, "acme")
        let package = try await store.createPackage(team: ids.team, name: "leads", master: false)
        let campaignID = try await store.createCampaign(
            team: ids.team, name: "spring", groupID: ids.group, packageID: package, mode: .progressive)
        let campaign = try await #require(try store.campaign(team: ids.team, id: "spring"))
        #expect(campaign.id == campaignID)
        // A name taken in the team: the same refusal from every store, not its own constraint error.
        await #expect(throws: CampaignFailure.duplicate("package leads")) {
            try await store.createPackage(team: ids.team, name: "leads", master: true)
        }
        await #expect(throws: CampaignFailure.duplicate("campaign spring")) {
            try await store.createCampaign(team: ids.team, name: "spring", groupID: ids.group, packageID: package, mode: .progressive)
        }
        var options = ImportOptions()
        options.phoneField = "phone1"
        options.priorityField = "prio"
        let rows = 2_000
        let records = (0..<rows).map { i in
            ImportRecord(row: i + 2, fields: ["phone1": String(13_900_000_000 + i), "name": "c\(i)", "prio": String(i % 3)])
        }
        let now = Date(timeIntervalSince1970: 5_000)
        let outcomes = try await store.importBatch(campaign: campaign, records: records, options: options, now: now)
        #expect(outcomes.count == rows)
        #expect(outcomes.allSatisfy { (try? $0.get().code) == "83" })
        // The same rows again are duplicates: nothing new in the package or the list.
        let again = try await store.importBatch(campaign: campaign, records: Array(records.prefix(10)), options: options, now: now)
        #expect(again.allSatisfy { (try? $0.get())?.duplicate == true })
        await #expect(try store.customers(package: package, limit: 10_000).count == rows)
        await #expect(try store.predial(campaign: campaignID, limit: 10_000).count == rows)
        // A row without phone1 is refused with its row number and code.
        let bad = try await store.importBatch(
            campaign: campaign, records: [ImportRecord(row: 9, fields: ["name": "x"])], options: options, now: now)
        #expect(bad.first.map { if case .failure(let p) = $0 { p.row == 9 && p.code == "76" } else { false } } == true)

        // The dialer takes the highest priority first, and each entry once.
        try await store.setState(campaign: campaignID, .running)
        let claimed = try await #require(try store.claimNextEntry(campaign: campaignID, agent: "8001", now: now) { "m\($0)-\($1)" })
        #expect(claimed.0.priority == 2 && claimed.0.status == "dialing" && claimed.1 == "m\(claimed.0.id)-1")
        await #expect(try store.dialingEntries().map(\.entry.id) == [claimed.0.id])
        try await store.releaseEntry(id: claimed.0.id, retryAt: now)
        await #expect(try store.dialingEntries().isEmpty)
    }
}
