import CoccEngine
import CoccStorage
import CoccStore
import Foundation
import Logging
import Synchronization
import Testing

/// The live edge of the event log: targeted wake-ups and recent events from memory.
@Suite("event bus")
struct EventBusTests {
    /// No clock in the assertions: the waits' timeouts are an hour, so returning at all proves
    /// the wake-up; the time limit is only a safety net against a hang.
    @Test(.timeLimit(.minutes(1)))
    func anEventWakesItsAgentsAndTheTeamButNoOtherAgent() async throws {
        let f = try await Fixture()
        let bus = EventBus()
        let journal = StoreJournal(logger: Logger(label: "test"))
        let now = f.clock()
        bus.append(to: f.store, journal: journal, team: 1, at: now, agents: [1], render: { "event=a&eventid=\($0)&" })
        let otherReturned = Atomic(false)
        let other = Task {
            await bus.wait(team: 1, agent: 3, after: 1, timeout: .seconds(3600))
            otherReturned.store(true, ordering: .sequentiallyConsistent)
        }
        async let mine: Void = bus.wait(team: 1, agent: 2, after: 1, timeout: .seconds(3600))
        async let team: Void = bus.wait(team: 1, after: 1, timeout: .seconds(3600))
        bus.append(to: f.store, journal: journal, team: 1, at: now, agents: [2], render: { "event=b&eventid=\($0)&" })
        _ = await (mine, team)
        #expect(await journal.flush(timeout: .seconds(10)))
        for _ in 0..<10 { await Task.yield() }
        let otherWoke = otherReturned.load(ordering: .sequentiallyConsistent)
        #expect(!otherWoke)  // agent 3 sleeps through agent 2's event
        other.cancel()
        await other.value
        // Already newer: returns at once, not after the hour.
        await bus.wait(team: 1, agent: 2, after: 1, timeout: .seconds(3600))
    }

    @Test
    func recentEventsComeFromMemoryAndMatchTheStore() async throws {
        let f = try await Fixture()
        // Three events before this bus existed: memory does not reach them, the store does.
        for _ in 0..<3 { _ = try await f.store.appendEvent(teamID: 1, at: f.clock(), agentIDs: [1]) { "old=\($0)&" } }
        let bus = EventBus()
        let journal = StoreJournal(logger: Logger(label: "test"))
        for i in 0..<6 {
            bus.append(to: f.store, journal: journal, team: 1, at: f.clock(), agents: [Int64(1 + i % 2)], render: { "new=\($0)&" })
        }
        #expect(await journal.flush(timeout: .seconds(10)))
        #expect(bus.latest(team: 1) == 9)
        #expect(bus.recent(team: 1, after: 2, agent: nil, limit: 100) == nil)
        let fromMemory = try #require(bus.recent(team: 1, after: 3, agent: 2, limit: 100))
        #expect(fromMemory.map(\.eventid) == [5, 7, 9])
        await #expect(try f.store.events(teamID: 1, after: 3, limit: 100, agentID: 2) == fromMemory)
        #expect(bus.recent(team: 1, after: 9, agent: nil, limit: 100) == [])
        #expect(bus.recent(team: 1, after: 4, agent: nil, limit: 2)?.map(\.eventid) == [5, 6])
    }
}
