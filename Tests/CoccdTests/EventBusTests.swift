import CoccEngine
import CoccStore
import Foundation
import Testing

/// The live edge of the event log: targeted wake-ups and recent events from memory.
@Suite("event bus")
struct EventBusTests {
    @Test
    func anEventWakesItsAgentsAndTheTeamButNoOtherAgent() async throws {
        let f = try Fixture()
        let bus = EventBus()
        let now = f.clock()
        _ = try bus.append(to: f.store, team: 1, at: now, agents: [1]) { "event=a&eventid=\($0)&" }
        async let mine: Duration = ContinuousClock().measure { await bus.wait(team: 1, agent: 2, after: 1, timeout: .seconds(5)) }
        async let other: Duration = ContinuousClock().measure { await bus.wait(team: 1, agent: 3, after: 1, timeout: .milliseconds(1200)) }
        async let team: Duration = ContinuousClock().measure { await bus.wait(team: 1, after: 1, timeout: .seconds(5)) }
        try await Task.sleep(for: .milliseconds(100))
        _ = try bus.append(to: f.store, team: 1, at: now, agents: [2]) { "event=b&eventid=\($0)&" }
        let (m, o, t) = await (mine, other, team)
        #expect(m < .milliseconds(900))
        #expect(t < .milliseconds(900))
        #expect(o >= .milliseconds(1150))   // agent 3 slept through agent 2's event
        // Already newer: no wait at all.
        #expect(await ContinuousClock().measure { await bus.wait(team: 1, agent: 2, after: 1, timeout: .seconds(5)) } < .milliseconds(100))
    }

    @Test
    func recentEventsComeFromMemoryAndMatchTheStore() throws {
        let f = try Fixture()
        // Three events before this bus existed: memory does not reach them, the store does.
        for _ in 0..<3 { _ = try f.store.appendEvent(teamID: 1, at: f.clock(), agentIDs: [1]) { "old=\($0)&" } }
        let bus = EventBus()
        for i in 0..<6 { _ = try bus.append(to: f.store, team: 1, at: f.clock(), agents: [Int64(1 + i % 2)]) { "new=\($0)&" } }
        #expect(bus.latest(team: 1) == 9)
        #expect(bus.recent(team: 1, after: 2, agent: nil, limit: 100) == nil)
        let fromMemory = try #require(bus.recent(team: 1, after: 3, agent: 2, limit: 100))
        #expect(fromMemory.map(\.eventid) == [5, 7, 9])
        #expect(try f.store.events(teamID: 1, after: 3, limit: 100, agentID: 2) == fromMemory)
        #expect(bus.recent(team: 1, after: 9, agent: nil, limit: 100) == [])
        #expect(bus.recent(team: 1, after: 4, agent: nil, limit: 2)?.map(\.eventid) == [5, 6])
    }
}
