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

/// 8001 (leg 19866) talking with 13800000001 (19867) consults 8002, whose phone rings on 19868;
/// with `answered`, 8002 has answered and talks with 8001 (the customer held).
func consulting8002(_ f: Fixture, _ client: some TestClientProtocol, _ interface: Interface, answered: Bool = true) async throws {
    _ = try await call(client, interface, "login", Fixture.agent8001)
    _ = try await call(client, interface, "login", Fixture.agent("8002"))
    _ = try await call(client, interface, "makeCall", OutboundCallTests.dial)
    await f.advance(3)
    _ = try await call(client, interface, "consult", ConferenceConsultTests.consult8002)
    if answered { await f.advance(1) }
}

/// Manual 3.9 (consult "while the agent talks with the customer or is in a conference") and
/// 3.20 (hold is for two parties).
@Suite("consult from a conference; hold only in two-party calls")
struct ConferenceConsultTests {
    static let consult8002 = Fixture.agent8001.with(["targetdn": "8002", "agentgroupid": "1", "consulttype": "internal"])
    static let consult8003 = Fixture.agent8001.with(["targetdn": "8003", "agentgroupid": "1", "consulttype": "internal"])

    /// 8001 (leg 19866) in a conference with 13800000001 (19867) and 8002 (19868); 8003 idle.
    func conference(_ f: Fixture, _ client: some TestClientProtocol, _ interface: Interface) async throws {
        for agent in ["8001", "8002", "8003"] { _ = try await call(client, interface, "login", Fixture.agent(agent)) }
        _ = try await call(client, interface, "makeCall", OutboundCallTests.dial)
        await f.advance(3)
        #expect(try await call(client, interface, "consult", Self.consult8002) == Outcome(code: 1, message: "BackMsg_27"))
        await f.advance(1)
        #expect(try await call(client, interface, "conference", Fixture.agent8001) == Outcome(code: 1, message: "BackMsg_34"))
        #expect(await f.pbx.conferencedWith(uniqueid: 19866) == [19867, 19868])
    }

    /// From the conference, 8001 consults 8003 (leg 19869), who answers.
    func consultFromConference(_ f: Fixture, _ client: some TestClientProtocol, _ interface: Interface) async throws {
        try await conference(f, client, interface)
        #expect(
            try await call(client, interface, "hold", Fixture.agent8001.with(["silence": "0"])) == Outcome(code: 2, message: "BackMsg_96"))
        #expect(await !f.pbx.isHeld(uniqueid: 19867))
        #expect(try await call(client, interface, "consult", Self.consult8003) == Outcome(code: 1, message: "BackMsg_27"))
        // One consult at a time, from a conference too.
        #expect(
            try await call(client, interface, "consult", Self.consult8003.with(["targetdn": "13912345678", "consulttype": "external"]))
                == Outcome(code: 2, message: "BackMsg_95"))
        await f.advance(1)
        // The conference talks on without the agent, who talks with 8003; nobody is on hold.
        #expect(await f.pbx.bridgedWith(uniqueid: 19866) == 19869)
        #expect(await f.pbx.conferencedWith(uniqueid: 19867) == [19868])
        #expect(await !f.pbx.isHeld(uniqueid: 19867))
        #expect(
            try await call(client, interface, "hold", Fixture.agent8001.with(["silence": "0"])) == Outcome(code: 2, message: "BackMsg_96"))
        #expect(try await call(client, interface, "resume", Fixture.agent8001) == Outcome(code: 2, message: "BackMsg_96"))
    }

    func kinds(_ f: Fixture) async throws -> [String] {
        try await f.events().map { "\(field($0, "source")!) \(field($0, "event")!) \(field($0, "uniqueid")!)" }
    }

    @Test(arguments: Interface.allCases)
    func callReturnGoesBackIntoTheConference(_ interface: Interface) async throws {
        let f = try await Fixture()
        try await f.application().test(.router) { client async throws in
            try await consultFromConference(f, client, interface)
            #expect(try await call(client, interface, "callReturn", Fixture.agent8001) == Outcome(code: 1, message: "BackMsg_32"))
            #expect(await f.pbx.conferencedWith(uniqueid: 19866) == [19867, 19868])
            #expect(await f.pbx.liveLegs().map(\.uniqueid) == [19866, 19867, 19868])
            #expect(try await call(client, interface, "agentStatus", Fixture.agent("8003")).extra == "1-idle,2-logout,")
            // In the conference again: a further consult is allowed, hold is not.
            #expect(
                try await call(client, interface, "hold", Fixture.agent8001.with(["silence": "0"]))
                    == Outcome(code: 2, message: "BackMsg_96"))
        }
        // The agent rejoins at once; the consulted leg's hangup is the switch's report of it.
        let seen = try await kinds(f).dropFirst(4)
        #expect(
            seen == [
                "CALLEE onhold 19867", "CONSULT ringing 19868", "CONSULT answer 19868", "CALLEE join 19867", "CONSULT join 19868",
                "CONSULT ringing 19869", "CONSULT answer 19869", "AGENT join 19866", "CONSULT hangup 19869",
            ], "\(seen)")
    }

    @Test(arguments: Interface.allCases)
    func conferenceAddsTheNewParty(_ interface: Interface) async throws {
        let f = try await Fixture()
        try await f.application().test(.router) { client async throws in
            try await consultFromConference(f, client, interface)
            #expect(try await call(client, interface, "conference", Fixture.agent8001) == Outcome(code: 1, message: "BackMsg_34"))
            #expect(await f.pbx.conferencedWith(uniqueid: 19866) == [19867, 19868, 19869])
            // hangup target=consult: every consulted party, oldest first; agent and customer stay.
            #expect(
                try await call(client, interface, "hangup", Fixture.agent8001.with(["target": "consult", "targetagent": "8001"]))
                    == Outcome(code: 1, message: "BackMsg_37"))
            #expect(await f.pbx.liveLegs().map(\.uniqueid) == [19866, 19867])
            #expect(await f.pbx.bridgedWith(uniqueid: 19866) == 19867)
        }
        await #expect(try kinds(f).suffix(3) == ["CONSULT join 19869", "CONSULT hangup 19868", "CONSULT hangup 19869"])
    }

    @Test(arguments: Interface.allCases)
    func transferHandsTheConferenceToTheNewParty(_ interface: Interface) async throws {
        let f = try await Fixture()
        try await f.application().test(.router) { client async throws in
            try await consultFromConference(f, client, interface)
            #expect(try await call(client, interface, "transfer", Fixture.agent8001) == Outcome(code: 1, message: "BackMsg_31"))
            #expect(await f.pbx.conferencedWith(uniqueid: 19867) == [19868, 19869])
            #expect(await f.pbx.liveLegs().map(\.uniqueid) == [19867, 19868, 19869])
            #expect(try await call(client, interface, "agentStatus", Fixture.agent8001).extra == "1-idle,2-logout,")
            // One of the two consulted agents leaves: customer and the other talk on.
            #expect(
                try await call(client, interface, "hangup", Fixture.agent("8002").with(["target": "agent", "targetagent": "8002"]))
                    == Outcome(code: 1, message: "BackMsg_37"))
            #expect(await f.pbx.bridgedWith(uniqueid: 19867) == 19869)
            try await f.pbx.farEndHangup(uniqueid: 19867)
            #expect(await f.pbx.liveLegs().isEmpty)
            #expect(try await call(client, interface, "agentStatus", Fixture.agent("8003")).extra == "1-idle,2-logout,")
        }
        await #expect(
            try kinds(f).dropFirst(9) == [
                "CONSULT ringing 19869", "CONSULT answer 19869", "CONSULT join 19869", "AGENT hangup 19866", "CONSULT hangup 19868",
                "CALLEE hangup 19867", "CONSULT hangup 19869", "CONVERSATION hangup 0",
            ])
    }

    /// 3.20: during a plain consult the customer is held by the consult: hold and resume are
    /// not for this call (BackMsg_96, no longer BackMsg_51).
    @Test(arguments: Interface.allCases)
    func holdDuringAConsult(_ interface: Interface) async throws {
        let f = try await Fixture()
        try await f.application().test(.router) { client async throws in
            try await consulting8002(f, client, interface, answered: false)
            #expect(
                try await call(client, interface, "hold", Fixture.agent8001.with(["silence": "0"]))
                    == Outcome(code: 2, message: "BackMsg_96"))
            await f.advance(1)
            #expect(
                try await call(client, interface, "hold", Fixture.agent8001.with(["silence": "1"]))
                    == Outcome(code: 2, message: "BackMsg_96"))
            #expect(try await call(client, interface, "resume", Fixture.agent8001) == Outcome(code: 2, message: "BackMsg_96"))
            #expect(await f.pbx.isHeld(uniqueid: 19867))
            // Back to two parties: hold works again.
            _ = try await call(client, interface, "callReturn", Fixture.agent8001)
            #expect(
                try await call(client, interface, "hold", Fixture.agent8001.with(["silence": "0"]))
                    == Outcome(code: 1, message: "BackMsg_52"))
        }
    }

    /// hangup `all` (and forcedRelease) ends a conference: the agent's leg going first is not
    /// "the agent left", so nothing is handed over and the agent's story ends with the call.
    @Test(arguments: ["hangup", "forcedRelease"])
    func tearingDownAConferenceHandsNothingOver(_ operation: String) async throws {
        let f = try await Fixture()
        try await f.application().test(.router) { client async throws in
            try await conference(f, client, .http)
            let request =
                operation == "hangup"
                ? Fixture.agent8001.with(["target": "all", "targetagent": "8001"])
                : Fixture.account.with(["target": "8001"])
            #expect(try await call(client, .http, operation, request).code == 1)
            #expect(await f.pbx.liveLegs().isEmpty)
        }
        let kinds = try await kinds(f)
        #expect(!kinds.contains("CALLEE resume 19867"))
        #expect(kinds.suffix(4) == ["AGENT hangup 19866", "CALLEE hangup 19867", "CONSULT hangup 19868", "CONVERSATION hangup 0"])
        let agent = try #require(f.center.directory.agent(team: 1, number: "8001"))
        await #expect(
            try f.center.events(team: 1, after: 0, agent: agent.id, limit: 100).last.flatMap { field($0.message, "source") }
                == "CONVERSATION")
    }

    /// While the next party still rings, the agent is in the conference: if the last party
    /// there leaves, agent and customer talk on; nobody is put on hold.
    @Test
    func lastPartyLeavesWhileTheNextOneRings() async throws {
        let f = try await Fixture()
        try await f.application().test(.router) { client async throws in
            try await conference(f, client, .soap)
            #expect(try await call(client, .soap, "consult", Self.consult8003) == Outcome(code: 1, message: "BackMsg_27"))
            try await f.pbx.farEndHangup(uniqueid: 19868)
            #expect(await f.pbx.bridgedWith(uniqueid: 19866) == 19867)
            #expect(await !f.pbx.isHeld(uniqueid: 19867))
            // The consult goes on as from a two-party call; callReturn ends it.
            #expect(try await call(client, .soap, "callReturn", Fixture.agent8001) == Outcome(code: 1, message: "BackMsg_32"))
            #expect(await f.pbx.liveLegs().map(\.uniqueid) == [19866, 19867])
        }
        // The one onhold is the first consult's, before the conference.
        await #expect(try kinds(f).filter { $0 == "CALLEE onhold 19867" }.count == 1)
    }
}
