import CoccEngine
import CoccOperations
import CoccProvisioning
import CoccServer
import CoccSimulator
import CoccStorage
import CoccStore
import CoccSwitch
import Foundation
import GRDB
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

/// Leg uniqueids fit a CRM's 32-bit INT column, as the manual's (1555, 19866) do, and never
/// repeat: they come from a persisted, increasing sequence.
@Suite("leg ids: small, persisted, increasing")
struct LegIDSequenceTests {
    /// The next id, waiting (briefly) for the block reserved in the background: a leg id is
    /// taken synchronously, and a tight loop can outrun the store's async reservation.
    static func take(_ ids: PersistedLegIDs) async -> Int64? {
        for _ in 0..<400 {
            if let id = ids.nextLegID() { return id }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return nil
    }

    @Test
    func idsIncreaseAcrossRestartsAndProcesses() async throws {
        let (store, path) = try temporaryStore()
        let first = try await PersistedLegIDs(store: store, blockSize: 10)
        var run1: [Int64] = []
        for _ in 0..<25 { run1.append(try #require(await Self.take(first))) }
        #expect(run1.first == 1000)
        #expect(run1 == Array(1000..<1025))
        // A restart (a new store over the same file) continues past everything handed out.
        let second = try await PersistedLegIDs(store: try SQLiteStore(path: path), blockSize: 10)
        var run2: [Int64] = []
        for _ in 0..<5 { run2.append(try #require(await Self.take(second))) }
        #expect(run2.min()! > run1.max()!)
        // Two sources on one database (two processes, or nodes) interleaved never share an id.
        var all = Set(run1 + run2)
        for _ in 0..<50 {
            #expect(all.insert(try #require(await Self.take(first))).inserted)
            #expect(all.insert(try #require(await Self.take(second))).inserted)
        }
        #expect(all.max()! < Int64(Int32.max))
    }

    /// The server's wiring: the engine's legs and the switch's incoming callers share the
    /// sequence, so they cannot collide, and every id is a small integer.
    @Test
    func engineAndSwitchShareTheSequence() async throws {
        let (store, _) = try temporaryStore()
        _ = try await DirectoryAdmin(store: store, rounds: 500).seedDemoIfEmpty()
        let ids = try await PersistedLegIDs(store: store)
        let pbx = SimulatedSwitch(rules: .demo, timing: .manual, legIDs: ids)
        let center = try await CallCenter(store: store, switch: pbx, legRegistry: LegRegistry(ids: ids), logger: Fixture.quiet)
        consumeNotifications(of: center)
        let directory = center.directory
        let agent = try #require(directory.agent(team: 1, number: "8001"))
        let engine = try await center.engine(team: 1)
        _ = await engine.login(agent: agent, directory: directory, logger: Fixture.quiet)
        let caller = await pbx.placeInbound(from: "0138888888888", to: "6001", tenant: "demo")
        await pbx.advance(by: .seconds(2))
        let legs = await pbx.liveLegs().map(\.uniqueid)
        #expect(legs.count == 2 && Set(legs).count == 2)
        #expect(caller.uniqueid == 1000 && legs.allSatisfy { $0 >= 1000 && $0 < 2000 })
        await pbx.notifications.settled()
        #expect(await center.flushAllWrites(timeout: .seconds(10)))
        let uniqueids = try await store.events(teamID: 1, after: 0, limit: 100).compactMap {
            field($0.message, "uniqueid").flatMap { Int64($0) }
        }
        #expect(!uniqueids.isEmpty && uniqueids.allSatisfy { $0 < Int64(Int32.max) })
    }

    /// A store that cannot hand out ids refuses the leg (BackMsg_20), rather than inventing an
    /// id that could repeat or overflow; once the store works again, calls go through.
    @Test
    func aFailingSequenceRefusesTheLeg() async throws {
        let (store, _) = try temporaryStore()
        _ = try await DirectoryAdmin(store: store, rounds: 500).seedDemoIfEmpty()
        let ids = try await PersistedLegIDs(store: store, blockSize: 1, logger: Fixture.quiet)
        let pbx = SimulatedSwitch(rules: .demo, timing: .manual, legIDs: ids)
        let center = try await CallCenter(store: store, switch: pbx, legRegistry: LegRegistry(ids: ids), logger: Fixture.quiet)
        consumeNotifications(of: center)
        let agent = try #require(center.directory.agent(team: 1, number: "8001"))
        let engine = try await center.engine(team: 1)
        _ = await engine.login(agent: agent, directory: center.directory, logger: Fixture.quiet)
        let request = OutboundCallRequest.dialling("13800000001")
        _ = ids.nextLegID()  // the first block's one id is used up
        try await store.database.write { try $0.execute(sql: "ALTER TABLE leg_id_sequence RENAME TO leg_id_sequence_away") }
        #expect(
            await engine.makeCall(agent: agent, request: request, directory: center.directory, logger: Fixture.quiet).message
                == .back(BackMessage("20")))
        #expect(await pbx.liveLegs().isEmpty)
        try await store.database.write { try $0.execute(sql: "ALTER TABLE leg_id_sequence_away RENAME TO leg_id_sequence") }
        // The next block is reserved in the background once a leg asks again.
        _ = await Self.take(ids)
        try await Task.sleep(for: .milliseconds(200))
        #expect(await engine.makeCall(agent: agent, request: request, directory: center.directory, logger: Fixture.quiet).isSuccess)
        #expect(await pbx.liveLegs().count == 1)
    }
}
