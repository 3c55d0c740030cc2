import CoccStorage
import CoccStore
import Foundation
import Testing

/// One contract for every store: the same tests, parameterised by store, for every protocol of
/// `CoccStorage`. A new implementation joins by adding a case to ``StoreKind``.
enum StoreKind: String, CaseIterable, CustomStringConvertible, Sendable {
    case sqlite

    var description: String { rawValue }

    /// A fresh, empty store, and a way to open it again (a restart) or a second time at once (a
    /// second process or node on the same data).
    func make() throws -> StoreUnderTest {
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
                    let teamID = try admin.addTeam(identity: team, name: team)
                    let agent = try admin.addAgent(team: team, number: "8001", password: "pw", extension: "8001")
                    let group = try admin.addGroup(team: team, name: "sales", queueNumber: "6001")
                    return (teamID, agent, group)
                },
                remove: { try? FileManager.default.removeItem(at: directory) })
        }
    }
}

struct StoreUnderTest {
    let open: @Sendable () throws -> any DataStore
    /// Adds a team with agent 8001 and group 6001; answers their ids.
    let seed: (any DataStore, String) throws -> (team: Int64, agent: Int64, group: Int64)
    let remove: () -> Void
}

@Suite("store conformance: every store keeps the same contract")
struct StoreConformanceTests {
    @Test(arguments: StoreKind.allCases)
    func theDirectoryAndItsRevision(_ kind: StoreKind) throws {
        let under = try kind.make()
        defer { under.remove() }
        let store = try under.open()
        let before = try store.directoryRevision()
        let ids = try under.seed(store, "acme")
        #expect(try store.directoryRevision() != before)
        let directory = try store.loadDirectory()
        #expect(directory.team(identity: "acme")?.id == ids.team)
        #expect(directory.agent(team: ids.team, number: "8001")?.id == ids.agent)
        #expect(directory.group(team: ids.team, queueNumber: "6001")?.id == ids.group)
        #expect(directory.hasExtension(team: ids.team, number: "8001"))
    }

    @Test(arguments: StoreKind.allCases)
    func sessionsAndPausesSurviveARestart(_ kind: StoreKind) throws {
        let under = try kind.make()
        defer { under.remove() }
        var store = try under.open()
        let ids = try under.seed(store, "acme")
        let agent = try #require(try store.loadDirectory().agents[ids.agent])
        var session = AgentSession(agent: agent, now: Date(timeIntervalSince1970: 1_000))
        session.loggedIn = true
        session.groups = [.init(groupID: ids.group, afterCallWork: .afterAnswer, workMode: .all, since: Date(timeIntervalSince1970: 1_000))]
        try store.saveSession(session)
        session.dnd = true
        try store.saveSession(session)  // an upsert, not a second row
        let first = try store.startPause(teamID: ids.team, agentID: ids.agent, reason: "rest", at: Date(timeIntervalSince1970: 1_100))
        try store.endPause(id: first, at: Date(timeIntervalSince1970: 1_200))
        let open = try store.startPause(teamID: ids.team, agentID: ids.agent, reason: "meeting", at: Date(timeIntervalSince1970: 1_300))
        #expect(open != first)

        store = try under.open()
        #expect(try store.loadSessions(teamID: ids.team) == [session])
        let pauses = try store.pauses(agentID: ids.agent, overlapping: Date(timeIntervalSince1970: 1_150))
        #expect(pauses.map(\.reason) == ["rest", "meeting"])
        #expect(pauses[0].endedAt == Date(timeIntervalSince1970: 1_200))
        #expect(pauses[1].endedAt == nil)
        // A pause that ended before `since` is not in the day's history.
        #expect(try store.pauses(agentID: ids.agent, overlapping: Date(timeIntervalSince1970: 1_250)).map(\.reason) == ["meeting"])
    }

    @Test(arguments: StoreKind.allCases)
    func eventIDsAreConsecutivePerTeamAndChannelsFilter(_ kind: StoreKind) throws {
        let under = try kind.make()
        defer { under.remove() }
        let store = try under.open()
        let a = try under.seed(store, "acme")
        let b = try under.seed(store, "other")
        let at = Date(timeIntervalSince1970: 2_000)
        let e1 = try store.appendEvent(teamID: a.team, at: at, agentIDs: [a.agent]) { "a\($0)" }
        let e2 = try store.appendEvent(teamID: a.team, at: at.addingTimeInterval(1), agentIDs: [], teamChannel: true) { "a\($0)" }
        let own = try store.appendEvent(teamID: a.team, at: at.addingTimeInterval(2), agentIDs: [a.agent], teamChannel: false) {
            "mine\($0)"
        }
        let other = try store.appendEvent(teamID: b.team, at: at, agentIDs: []) { "b\($0)" }
        #expect([e1.eventid, e2.eventid, own.eventid] == [1, 2, 3])
        #expect(other.eventid == 1)
        #expect(e1.message == "a1")
        #expect(try store.events(teamID: a.team, after: 0, limit: 10).map(\.message) == ["a1", "a2"])
        #expect(try store.events(teamID: a.team, after: 0, limit: 10, agentID: a.agent).map(\.message) == ["a1", "mine3"])
        #expect(try store.events(teamID: a.team, after: 1, limit: 1).map(\.eventid) == [2])
        #expect(try store.lastEventID(teamID: a.team, atOrBefore: .distantFuture) == 3)
        #expect(try store.lastEventID(teamID: a.team, atOrBefore: at.addingTimeInterval(1)) == 2)
        #expect(try store.firstEventID(teamID: a.team) == 1)
        #expect(try store.firstEventID(teamID: 999) == 0)
    }

    @Test(arguments: StoreKind.allCases)
    func twoWritersOnOneStoreNeverShareAnEventIDOrALegID(_ kind: StoreKind) async throws {
        let under = try kind.make()
        defer { under.remove() }
        let first = try under.open()
        let ids = try under.seed(first, "acme")
        let second = try under.open()
        let perWriter = 200
        let results = try await withThrowingTaskGroup(of: ([Int64], [Int64]).self) { group in
            for store in [first, second] {
                group.addTask {
                    var events: [Int64] = []
                    var legs: [Int64] = []
                    for _ in 0..<perWriter {
                        events.append(try store.appendEvent(teamID: ids.team, at: Date(), agentIDs: []) { "e\($0)" }.eventid)
                        legs.append(try store.reserveLegIDs(count: 10))
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
        #expect(try first.events(teamID: ids.team, after: 0, limit: 1_000).allSatisfy { $0.message == "e\($0.eventid)" })
    }

    @Test(arguments: StoreKind.allCases)
    func retentionKeepsTheNewestEventAndWhatABackendHasNotAccepted(_ kind: StoreKind) throws {
        let under = try kind.make()
        defer { under.remove() }
        let store = try under.open()
        let a = try under.seed(store, "acme")
        let b = try under.seed(store, "other")
        for i in 0..<10 {
            _ = try store.appendEvent(teamID: a.team, at: Date(timeIntervalSince1970: Double(100 + i)), agentIDs: []) { "a\($0)" }
            _ = try store.appendEvent(teamID: b.team, at: Date(timeIntervalSince1970: Double(100 + i)), agentIDs: []) { "b\($0)" }
        }
        // Everything is older than the cutoff: team a keeps its newest, team b what is after its cursor 6.
        let removed = try store.pruneEvents(before: Date(timeIntervalSince1970: 1_000), heldFrom: [b.team: 6], batch: 3)
        #expect(removed == 9 + 6)
        #expect(try store.firstEventID(teamID: a.team) == 10)
        #expect(try store.events(teamID: b.team, after: 0, limit: 20).map(\.eventid) == [7, 8, 9, 10])
        // The next id still follows the newest.
        #expect(try store.appendEvent(teamID: a.team, at: Date(), agentIDs: []) { "a\($0)" }.eventid == 11)
    }

    @Test(arguments: StoreKind.allCases)
    func deliveryStartsAtTheLatestEventAndKeepsItsCursor(_ kind: StoreKind) throws {
        let under = try kind.make()
        defer { under.remove() }
        var store = try under.open()
        let ids = try under.seed(store, "acme")
        for _ in 0..<3 { _ = try store.appendEvent(teamID: ids.team, at: Date(), agentIDs: []) { "e\($0)" } }
        var state = try store.deliveryState(teamID: ids.team)
        #expect(state.cursor == 3)
        #expect(state.secret.count == 64)
        state.cursor = 2
        state.attempts = 4
        state.dead = true
        state.lastError = "HTTP 500"
        try store.saveDelivery(state)
        store = try under.open()
        #expect(try store.deliveryState(teamID: ids.team) == state)
        try store.replayDelivery(teamID: ids.team, since: 1)
        let replayed = try store.deliveryState(teamID: ids.team)
        #expect(replayed.cursor == 1 && replayed.attempts == 0 && !replayed.dead && replayed.secret == state.secret)
    }

    @Test(arguments: StoreKind.allCases)
    func callRecordsAndLiveCalls(_ kind: StoreKind) throws {
        let under = try kind.make()
        defer { under.remove() }
        var store = try under.open()
        let ids = try under.seed(store, "acme")
        func record(_ id: String, at start: Double, agent: String, disposition: String) -> CallRecord {
            CallRecord(
                sessionid: id, teamID: ids.team, direction: "dialin", agentNumber: agent, customerNumber: "139", didNumber: "6001",
                groupID: ids.group, startedAt: Date(timeIntervalSince1970: start), answeredAt: nil,
                endedAt: Date(timeIntervalSince1970: start + 30), disposition: disposition, recording: "", userdata: "u-\(id)",
                modeltype: "", modelID: "")
        }
        try store.saveCallRecord(record("s1", at: 100, agent: "8001", disposition: "answered"))
        try store.saveCallRecord(record("s2", at: 200, agent: "8002", disposition: "abandoned"))
        try store.saveCallRecord(record("s3", at: 300, agent: "8001", disposition: "answered"))
        try store.saveCallRecord(record("s4", at: 900, agent: "8001", disposition: "answered"))
        let from = Date(timeIntervalSince1970: 100)
        let to = Date(timeIntervalSince1970: 900)
        #expect(try store.callRecord(sessionid: "s2") == record("s2", at: 200, agent: "8002", disposition: "abandoned"))
        #expect(
            try store.callRecords(teamID: ids.team, from: from, to: to, agentNumber: nil, limit: 10).map(\.sessionid) == ["s3", "s2", "s1"])
        #expect(try store.callRecords(teamID: ids.team, from: from, to: to, agentNumber: "8001", limit: 1).map(\.sessionid) == ["s3"])
        let counts = try store.callCounts(teamID: ids.team, from: from, to: to).sorted { $0.disposition < $1.disposition }
        #expect(
            counts == [
                CallCount(groupID: ids.group, direction: "dialin", disposition: "abandoned", count: 1),
                CallCount(groupID: ids.group, direction: "dialin", disposition: "answered", count: 2),
            ])

        let live = LiveCallRecord(
            sessionid: "live-1", teamID: ids.team, direction: "dialin", agentID: ids.agent, agentExtension: "8001", groupID: ids.group,
            customerNumber: "139", didNumber: "6001", modeltype: "", modelID: "", userdata: "", startedAt: Date(timeIntervalSince1970: 50),
            answeredAt: nil, legs: [.init(uniqueid: 1_001, channel: "SIP/1", source: "CALLER", down: false)])
        try store.saveLiveCall(live)
        var changed = live
        changed.answeredAt = Date(timeIntervalSince1970: 55)
        try store.saveLiveCall(changed)
        store = try under.open()
        #expect(try store.liveCalls(teamID: ids.team) == [changed])
        #expect(try store.liveCallTeamIDs() == [ids.team])
        try store.deleteLiveCall(sessionid: "live-1")
        #expect(try store.liveCalls(teamID: ids.team).isEmpty)
        #expect(try store.liveCallTeamIDs().isEmpty)
    }

    @Test(arguments: StoreKind.allCases)
    func theImportHotPathAndTheDialerQueue(_ kind: StoreKind) throws {
        let under = try kind.make()
        defer { under.remove() }
        let store = try under.open()
        let ids = try under.seed(store, "acme")
        let package = try store.createPackage(team: ids.team, name: "leads", master: false)
        let campaignID = try store.createCampaign(
            team: ids.team, name: "spring", groupID: ids.group, packageID: package, mode: .progressive)
        let campaign = try #require(try store.campaign(team: ids.team, id: "spring"))
        #expect(campaign.id == campaignID)
        var options = ImportOptions()
        options.phoneField = "phone1"
        options.priorityField = "prio"
        let rows = 2_000
        let records = (0..<rows).map { i in
            ImportRecord(row: i + 2, fields: ["phone1": String(13_900_000_000 + i), "name": "c\(i)", "prio": String(i % 3)])
        }
        let now = Date(timeIntervalSince1970: 5_000)
        let outcomes = try store.importBatch(campaign: campaign, records: records, options: options, now: now)
        #expect(outcomes.count == rows)
        #expect(outcomes.allSatisfy { (try? $0.get().code) == "83" })
        // The same rows again are duplicates: nothing new in the package or the list.
        let again = try store.importBatch(campaign: campaign, records: Array(records.prefix(10)), options: options, now: now)
        #expect(again.allSatisfy { (try? $0.get())?.duplicate == true })
        #expect(try store.customers(package: package, limit: 10_000).count == rows)
        #expect(try store.predial(campaign: campaignID, limit: 10_000).count == rows)
        // A row without phone1 is refused with its row number and code.
        let bad = try store.importBatch(
            campaign: campaign, records: [ImportRecord(row: 9, fields: ["name": "x"])], options: options, now: now)
        #expect(bad.first.map { if case .failure(let p) = $0 { p.row == 9 && p.code == "76" } else { false } } == true)

        // The dialer takes the highest priority first, and each entry once.
        try store.setState(campaign: campaignID, .running)
        let claimed = try #require(try store.claimNextEntry(campaign: campaignID, agent: "8001", now: now) { "m\($0)-\($1)" })
        #expect(claimed.0.priority == 2 && claimed.0.status == "dialing" && claimed.1 == "m\(claimed.0.id)-1")
        #expect(try store.dialingEntries().map(\.entry.id) == [claimed.0.id])
        try store.releaseEntry(id: claimed.0.id, retryAt: now)
        #expect(try store.dialingEntries().isEmpty)
    }
}
