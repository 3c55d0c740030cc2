import CoccEngine
import CoccOperations
import CoccServer
import CoccSimulator
import CoccStorage
import CoccStore
import CoccSwitch
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

/// A crash (`kill -9`) of coccd loses no call: live calls are in the store, and the next start
/// ends each with its hangup events and an `interrupted` call record (the documented policy).
@Suite("calls interrupted by a crash end at the next start")
struct CallRecoveryTests {
    func kinds(_ f: Fixture) async throws -> [String] {
        try await f.events().map { "\(field($0, "source")!) \(field($0, "event")!) \(field($0, "uniqueid")!)" }
    }

    @Test
    func anAnsweredCallEndsWithItsEvents() async throws {
        let f = try await Fixture()
        try await f.application().test(.router) { client async throws in
            _ = try await call(client, .http, "login", Fixture.agent8001)
            _ = try await call(client, .http, "makeCall", OutboundCallTests.dial)
            await f.advance(3)
        }
        await #expect(try f.store.liveCalls(teamID: 1).map(\.legs.count) == [2])
        let sid = try await #require(field(try f.events()[0], "sessionid"))
        // The process dies here; a new one starts over the same store, with a new switch.
        let restarted = try await f.restarted()
        #expect(await restarted.recoverInterruptedCalls() == 1)
        await #expect(try kinds(f).suffix(3) == ["AGENT hangup 19866", "CALLEE hangup 19867", "CONVERSATION hangup 0"])
        await #expect(try f.store.callRecord(sessionid: sid)?.disposition == "interrupted")
        await #expect(try f.store.liveCalls(teamID: 1).isEmpty)
        #expect(await restarted.recoverInterruptedCalls() == 0)
        // The agent is free: its call state was cleared when its team's state was loaded.
        let agent = try #require(restarted.directory.agent(team: 1, number: "8001"))
        #expect(try await restarted.engine(team: 1).sessionSnapshot(agentID: agent.id)?.call == CallActivity.none)
        // Its own channel has the end of its call too.
        let story = try await restarted.events(team: 1, after: 0, agent: agent.id, limit: 100).map { field($0.message, "source") ?? "" }
        #expect(story.suffix(3) == ["AGENT", "CALLEE", "CONVERSATION"])
    }

    @Test
    func aCallerWaitingInTheQueueEndsToo() async throws {
        let f = try await Fixture()
        await f.pbx.placeInbound(from: "0138888888888", to: "6001", tenant: "demo")  // nobody logged in
        let restarted = try await f.restarted()
        #expect(await restarted.recoverInterruptedCalls() == 1)
        await #expect(try kinds(f) == ["CALLER incoming 1555", "CALLER hangup 1555", "CONVERSATION hangup 0"])
    }

    /// Calls that end normally leave nothing behind.
    @Test
    func endedCallsLeaveNoRecord() async throws {
        let f = try await Fixture()
        try await f.application().test(.router) { client async throws in
            _ = try await call(client, .http, "login", Fixture.agent8001)
            _ = try await call(client, .http, "makeCall", OutboundCallTests.dial)
            await f.advance(3)
            await #expect(try f.store.liveCalls(teamID: 1).count == 1)
            try await f.pbx.farEndHangup(uniqueid: 19867)
        }
        await f.settle()
        await #expect(try f.store.liveCalls(teamID: 1).isEmpty)
        await #expect(try f.store.liveCallTeamIDs().isEmpty)
    }
}
