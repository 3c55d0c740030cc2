import CoccEngine
import CoccPostgres
import CoccProvisioning
import CoccStorage
import CoccStore
import Foundation
import Testing

/// `coccd store copy`: every table moves, ids and all, between any two stores; counts are
/// checked; a target with rows is refused unless forced; ids handed out afterwards are new.
@Suite("store copy: SQLite to PostgreSQL, and every other pair")
struct StoreCopyTests {
    @Test func theCatalogueMatchesBothSchemas() async throws {
        for kind in StoreKind.allCases {
            let target = try await CopyTarget.make(kind)
            let differences = try await target.store.transferSchemaDifferences()
            await target.remove()
            #expect(differences == [], "\(kind)")
        }
    }

    @Test(arguments: StoreKind.allCases)
    func aSQLiteStoreIsCopiedWholeAndTheTargetGoesOnFromIt(_ kind: StoreKind) async throws {
        let seeded = try await CopySource.make()
        let source = seeded.fixture.store
        let target = try await CopyTarget.make(kind)
        do {
            // Small batches: every table of more than a few rows is read in several pages.
            let counts = try await StoreCopy(batchSize: 7).run(from: source, to: target.store)
            #expect(counts.map(\.table) == StoreCatalogue.tables.map(\.name))
            for table in StoreCatalogue.tables {
                let count = try #require(counts.first { $0.table == table.name })
                await #expect(try count.source == source.rowCount(of: table) && count.target == count.source, "\(table)")
            }
            #expect(counts.first { $0.table == "customers" }?.target == 25)
            #expect(counts.first { $0.table == "teams" }?.target == 3)
            let before = try await StoreContents.read(source)
            StoreContents.expectSame(try await StoreContents.read(target.store), before)

            // A target with rows is refused, and names the tables.
            let refusal = await #expect(throws: StoreTransferError.self) { try await StoreCopy().run(from: source, to: target.store) }
            if case .targetNotEmpty(let tables) = refusal {
                #expect(tables.contains("teams") && tables.contains("call_events"))
            } else {
                Issue.record("expected targetNotEmpty, got \(String(describing: refusal))")
            }

            // --force: what only the target had is gone, the rest is the source's again.
            _ = try await DirectoryAdmin(store: target.store, rounds: 500).addTeam(identity: "stray", name: "Stray")
            #expect(try await StoreCopy(force: true).run(from: source, to: target.store) == counts)
            StoreContents.expectSame(try await StoreContents.read(target.store), before)

            try await expectFreshIDs(on: target.store, from: source, removedAgent: seeded.removedAgent)
        } catch {
            await target.remove()
            throw error
        }
        await target.remove()
    }

    @Test(.enabled(if: TestPostgres.available, "needs PostgreSQL"))
    func aRoundTripThroughPostgreSQLComesBackTheSame() async throws {
        let seeded = try await CopySource.make()
        let first = try await CopyTarget.make(.postgres)
        let second = try await CopyTarget.make(.postgres)
        let back = try await CopyTarget.make(.sqlite)
        do {
            try await StoreCopy(batchSize: 5).run(from: seeded.fixture.store, to: first.store)
            try await StoreCopy(batchSize: 5).run(from: first.store, to: second.store)
            try await StoreCopy(batchSize: 5).run(from: second.store, to: back.store)
            StoreContents.expectSame(try await StoreContents.read(back.store), try await StoreContents.read(seeded.fixture.store))
            // The last issued ids travelled too (PostgreSQL's sequences, SQLite's sqlite_sequence).
            try await expectFreshIDs(on: back.store, from: seeded.fixture.store, removedAgent: seeded.removedAgent)
        } catch {
            for target in [first, second, back] { await target.remove() }
            throw error
        }
        for target in [first, second, back] { await target.remove() }
    }

    @Test func countsThatDifferStopTheCopy() async throws {
        let seeded = try await CopySource.make()
        let target = try await CopyTarget.make(.sqlite)
        defer { Task { await target.remove() } }
        let agents = try #require(StoreCatalogue.table(named: "agents"))
        let copied = try await seeded.fixture.store.rowCount(of: agents)
        let error = await #expect(throws: StoreTransferError.self) {
            try await StoreCopy().run(from: Miscounting(base: seeded.fixture.store, table: "agents"), to: target.store)
        }
        #expect(error == .countMismatch(table: "agents", source: copied + 1, copied: copied, target: copied))
    }

    @Test(.enabled(if: TestPostgres.available && CommandLine.coccd != nil, "needs PostgreSQL and the built coccd"))
    func theCommandCopiesIntoPostgreSQLAndNeverPrintsThePassword() async throws {
        let seeded = try await CopySource.make()
        let database = try await TestPostgres.makeDatabase()
        defer { Task { await database.drop() } }
        let password = TestPostgres.password(of: database.url)
        let from = seeded.fixture.directory.path
        let copied = try CommandLine.run(["store", "copy", "--from", from, "--to", database.url])
        #expect(copied.status == 0, "\(copied.errors)")
        #expect(copied.output.contains("call_events") && copied.output.contains("total"))
        #expect(!copied.output.contains(password) && !copied.errors.contains(password))
        // Again: refused (the target has rows); the URL from the environment this time.
        let refused = try CommandLine.run(["store", "copy", "--from", from], environment: ["COCCD_DATABASE_URL": database.url])
        #expect(refused.status != 0 && refused.errors.contains("not empty"))
        #expect(!refused.output.contains(password) && !refused.errors.contains(password))
        let forced = try CommandLine.run(["store", "copy", "--from", from, "--to", database.url, "--force"])
        #expect(forced.status == 0 && forced.output == copied.output, "\(forced.errors)")
        #expect(!forced.errors.contains(password))
        let missing = try CommandLine.run(["store", "copy", "--from", from + "/nowhere", "--to", database.url])
        #expect(missing.status != 0 && missing.errors.contains("no store at") && !missing.errors.contains(password))
    }

    /// What the target hands out after a copy continues the source: the team's event ids, the
    /// directory's ids (past an agent the source deleted), campaign rows, pauses, legs, live calls.
    func expectFreshIDs(on target: any DataStore, from source: any DataStore, removedAgent: Int64) async throws {
        let last = try await source.lastEventID(teamID: 1, atOrBefore: .distantFuture)
        let event = try await target.appendEvent(teamID: 1, at: Date(timeIntervalSince1970: 1_790_100_000), agentIDs: []) {
            "source=SYSTEM&event=after&eventid=\($0)&"
        }
        #expect(event.eventid == last + 1)
        let admin = DirectoryAdmin(store: target, rounds: 500)
        await #expect(try admin.addAgent(team: "demo", number: "8100", password: "pw", extension: "8100") == removedAgent + 1)
        await #expect(try admin.addTeam(identity: "fourth", name: "Fourth") == 8)
        let packages = try await source.packages(team: 1).map(\.id)
        await #expect(try target.createPackage(team: 1, name: "later", master: false) == (packages.max() ?? 0) + 1)
        let pauses = try await StoreContents.read(source).pauses.joined().map(\.id)
        #expect(pauses.count == 2)
        let agent = try #require(try await target.loadDirectory().agent(team: 1, number: "8003"))
        try await target.startPause(teamID: 1, agentID: agent.id, reason: "rest", at: Date(timeIntervalSince1970: 1_790_100_000))
        let newPause = try await target.pauses(agentID: agent.id, overlapping: .distantPast).map(\.id)
        #expect(newPause.count == 1 && newPause[0] == (pauses.max() ?? 0) + 1)
        var live = try #require(try await target.liveCalls(teamID: 1).first)
        live.sessionid = "after-the-copy"
        try await target.saveLiveCall(live)
        await #expect(try target.liveCalls(teamID: 1).last?.sessionid == "after-the-copy")
        await #expect(try target.reserveLegIDs(count: 10) == source.reserveLegIDs(count: 10))
    }
}

/// A store to copy into, and its removal (a PostgreSQL database is dropped).
struct CopyTarget: Sendable {
    let store: any DataStore & StoreExporting & StoreImporting
    let remove: @Sendable () async -> Void

    static func make(_ kind: StoreKind) async throws -> CopyTarget {
        switch kind {
        case .sqlite:
            let (store, path) = try temporaryStore()
            let folder = (path as NSString).deletingLastPathComponent
            return CopyTarget(store: store) {
                try? await store.close()
                try? FileManager.default.removeItem(atPath: folder)
            }
        case .postgres:
            let database = try await TestPostgres.makeDatabase()
            let store = try await PostgresStore.open(url: database.url, logger: TestPostgres.logger)
            return CopyTarget(store: store) {
                try? await store.close()
                await database.drop()
            }
        }
    }
}

/// An exporter that miscounts one table, as a source written to during the copy would.
struct Miscounting: StoreExporting {
    let base: any StoreExporting
    let table: String
    func transferSchemaDifferences() async throws -> [String] { try await base.transferSchemaDifferences() }
    func rowCount(of table: StoreTable) async throws -> Int { try await base.rowCount(of: table) + (table.name == self.table ? 1 : 0) }
    func exportRows(of table: StoreTable, after cursor: StoreTransferCursor?, limit: Int) async throws -> StoreRowBatch {
        try await base.exportRows(of: table, after: cursor, limit: limit)
    }
    func lastGeneratedIDs() async throws -> [String: Int64] { try await base.lastGeneratedIDs() }
}

extension CommandLine {
    /// The coccd that `swift build` made, beside these tests.
    static let coccd: String? = {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let path = root.appendingPathComponent(".build/debug/coccd").path
        return FileManager.default.isExecutableFile(atPath: path) ? path : nil
    }()

    /// Runs coccd with `arguments`; its exit status, standard output and standard error.
    static func run(_ arguments: [String], environment: [String: String] = [:]) throws -> (status: Int32, output: String, errors: String) {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("coccd-cli-\(UUID().uuidString)").path
        defer { for file in [base + ".out", base + ".err"] { try? FileManager.default.removeItem(atPath: file) } }
        let variables = environment.map { "\($0.key)=\(TestPostgres.quote($0.value))" }.joined(separator: " ")
        let command = ([try #require(coccd)] + arguments).map(TestPostgres.quote).joined(separator: " ")
        let status = TestPostgres.shell(
            "\(variables) \(command) </dev/null >\(TestPostgres.quote(base + ".out")) 2>\(TestPostgres.quote(base + ".err"))")
        let output = (try? String(contentsOfFile: base + ".out", encoding: .utf8)) ?? ""
        let errors = (try? String(contentsOfFile: base + ".err", encoding: .utf8)) ?? ""
        return (status, output, errors)
    }
}
