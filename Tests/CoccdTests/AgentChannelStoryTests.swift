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

/// Each agent's own channel (its page's long-poll or stream) tells that agent's story in the
/// manual's sequences (A.5.2, A.5.3), while the team log keeps every event once.
@Suite("agent channels: each agent's own story")
struct AgentChannelStoryTests {
    /// `SOURCE event uniqueid activenum` of each event in the agent's channel, checking that
    /// every line has exactly the manual's keys for its kind.
    func story(_ f: Fixture, _ number: String) async throws -> [String] {
        await f.written()
        let agent = try #require(f.center.directory.agent(team: 1, number: number))
        return try await f.center.events(team: 1, after: 0, agent: agent.id, limit: 1000).map(\.message).map { line in
            let source = try #require(CallEventMessage.Source(rawValue: field(line, "source") ?? ""))
            let event = try #require(CallEventMessage.Event(rawValue: field(line, "event") ?? ""))
            let direction = try #require(CallEventMessage.Direction(rawValue: field(line, "from") ?? ""))
            let layout = CallEventMessage(
                source: source, event: event, direction: direction, calleridnum: "1", didnumber: "2", activenum: "3", uniqueid: 4,
                sessionid: "5", eventTime: Date(), teamID: 1, modeltype: "6", modelID: "7", groupID: 8, channel: "9", userdata: "10")
            #expect(naiveKeys(line) == naiveKeys(layout.render(eventid: 1)), "\(line)")
            return "\(source.rawValue) \(event.rawValue) \(field(line, "uniqueid") ?? "-") \(field(line, "activenum") ?? "-")"
        }
    }

    func kinds(_ f: Fixture) async throws -> [String] {
        try await f.events().map { "\(field($0, "source")!) \(field($0, "event")!) \(field($0, "uniqueid")!)" }
    }

    /// A.5.3: the agent gets all six messages, the caller's `incoming` first; the team log has it once.
    @Test
    func inboundAgentGetsTheSixMessages() async throws {
        let f = try await Fixture()
        try await f.application().test(.router) { client async throws in
            _ = try await call(client, .http, "login", Fixture.agent8001)
            await f.pbx.placeInbound(from: "0138888888888", to: "6001", tenant: "demo")
            await f.advance(0)
            await f.advance(1)
            try await f.pbx.farEndHangup(uniqueid: 1555)
        }
        await #expect(
            try story(f, "8001") == [
                "CALLER incoming 1555 -", "AGENT ringing 19866 8001", "AGENT answer 19866 8001", "CALLER hangup 1555 8001",
                "AGENT hangup 19866 8001", "CONVERSATION hangup 0 8001",
            ])
        // The agent's incoming is the team's, but for its event id.
        let agent = try #require(f.center.directory.agent(team: 1, number: "8001"))
        let mine = try await #require(try f.center.events(team: 1, after: 0, agent: agent.id, limit: 1).first?.message)
        let team = try await f.events()
        #expect(team.filter { field($0, "event") == "incoming" }.count == 1)
        #expect(mine.replacingOccurrences(of: "eventid=2&", with: "eventid=1&") == team[0])
    }

    /// A call that rings out is offered to the next agent, which gets its own `incoming` first.
    @Test
    func eachOfferedAgentGetsTheIncoming() async throws {
        var rules = Fixture.rules
        rules.autoAnswerExtensions = false
        let f = try await Fixture(rules: rules, ringTimeout: .seconds(5))
        try await f.application().test(.router) { client async throws in
            _ = try await call(client, .http, "login", Fixture.agent8001)
            f.clock.advance(1)
            _ = try await call(client, .http, "login", Fixture.agent("8002"))
            await f.pbx.placeInbound(from: "0138888888888", to: "6001", tenant: "demo")
            await f.advance(6)  // 8001 lets it ring out; 8002 rings
            try await f.pbx.answer(uniqueid: 19867)
            try await f.pbx.farEndHangup(uniqueid: 1555)
        }
        await #expect(try story(f, "8001") == ["CALLER incoming 1555 -", "AGENT ringing 19866 8001", "AGENT hangup 19866 8001"])
        await #expect(
            try story(f, "8002") == [
                "CALLER incoming 1555 -", "AGENT ringing 19867 8002", "AGENT answer 19867 8002", "CALLER hangup 1555 8002",
                "AGENT hangup 19867 8002", "CONVERSATION hangup 0 8002",
            ])
    }

    /// After a transfer the receiving agent sees its own leg as AGENT and never the
    /// transferring agent's leg; the transferring agent's story ends with its own hangup.
    @Test(arguments: Interface.allCases)
    func transferTellsEachAgentItsOwnStory(_ interface: Interface) async throws {
        let f = try await Fixture()
        try await f.application().test(.router) { client async throws in
            try await consulting8002(f, client, interface)
            #expect(try await call(client, interface, "transfer", Fixture.agent8001) == Outcome(code: 1, message: "BackMsg_31"))
            await f.advance(30)
            try await f.pbx.farEndHangup(uniqueid: 19867)
        }
        await #expect(
            try story(f, "8001") == [
                "AGENT ringing 19866 8001", "AGENT answer 19866 8001", "CALLEE ringing 19867 8001", "CALLEE answer 19867 8001",
                "CALLEE onhold 19867 8001", "CONSULT ringing 19868 8001", "CONSULT answer 19868 8001",
                // Handed over: the customer's resume is the receiving agent's; this agent's story ends.
                "AGENT hangup 19866 8001",
            ])
        await #expect(
            try story(f, "8002") == [
                "AGENT ringing 19868 8002", "AGENT answer 19868 8002", "CALLEE resume 19867 8001", "CALLEE hangup 19867 8001",
                "AGENT hangup 19868 8002", "CONVERSATION hangup 0 8001",
            ])
        // The team log is unchanged: every event once, the consulted leg as CONSULT.
        await #expect(
            try kinds(f).dropFirst(4) == [
                "CALLEE onhold 19867", "CONSULT ringing 19868", "CONSULT answer 19868", "CALLEE resume 19867", "AGENT hangup 19866",
                "CALLEE hangup 19867", "CONSULT hangup 19868", "CONVERSATION hangup 0",
            ])
    }

    /// An inner call: the called agent's own leg is AGENT in its channel (CALLEE in the caller's).
    @Test
    func innerCallCalledAgentSeesItsOwnLeg() async throws {
        let f = try await Fixture()
        try await f.application().test(.router) { client async throws in
            _ = try await call(client, .soap, "login", Fixture.agent8001)
            _ = try await call(client, .soap, "login", Fixture.agent("8002"))
            _ = try await call(
                client, .soap, "makeCall", Fixture.agent8001.with(["targetdn": "8002", "targettype": "inner", "agentgroupid": "1"]))
            await f.advance(3)
            try await f.pbx.farEndHangup(uniqueid: 19867)
        }
        await #expect(
            try story(f, "8002") == [
                "AGENT ringing 19867 8002", "AGENT answer 19867 8002", "AGENT hangup 19867 8002", "CONVERSATION hangup 0 8001",
            ])
        await #expect(
            try story(f, "8001").prefix(4) == [
                "AGENT ringing 19866 8001", "AGENT answer 19866 8001", "CALLEE ringing 19867 8001", "CALLEE answer 19867 8001",
            ])
    }

    /// silentMonitor is silent: nothing in the monitored agent's channel; whisper and intrude
    /// show (the agent hears them). The supervising agent gets the call it joined.
    @Test(arguments: [("silentMonitor", false), ("whisper", true), ("intrude", true)])
    func silentMonitorIsSilent(_ operation: String, _ shows: Bool) async throws {
        let f = try await Fixture()
        try await f.application().test(.router) { client async throws in
            _ = try await call(client, .http, "login", Fixture.agent("8002"))
            _ = try await call(client, .http, "makeCall", OutboundCallTests.dial.with(Fixture.agent("8002")))
            await f.advance(3)
            _ = try await call(client, .http, "login", Fixture.agent8001)
            #expect(try await call(client, .http, operation, Fixture.agent8001.with(["target": "8002", "phonenumber": "8009"])).code == 1)
            await f.advance(1)
            await f.advance(10)
            try await f.pbx.farEndHangup(uniqueid: 19867)
        }
        let start = ["AGENT ringing 19866 8002", "AGENT answer 19866 8002", "CALLEE ringing 19867 8002", "CALLEE answer 19867 8002"]
        await #expect(
            try story(f, "8002") == start + (shows ? ["CONSULT join 19868 8002"] : []) + [
                "CALLEE hangup 19867 8002", "AGENT hangup 19866 8002",
            ]
                + (shows ? ["CONSULT hangup 19868 8002"] : []) + ["CONVERSATION hangup 0 8002"])
        await #expect(
            try story(f, "8001") == [
                "AGENT join 19868 8009", "CALLEE hangup 19867 8002", "AGENT hangup 19868 8009", "CONVERSATION hangup 0 8002",
            ])
        // The team log still shows the supervisor's leg, for the team's own records.
        await #expect(try kinds(f).contains("CONSULT join 19868"))
    }

    /// The agent a call was transferred to hangs up first: its story still ends with the
    /// call's CONVERSATION hangup, since its hangup ended the call.
    @Test
    func transferredAgentHangingUpGetsTheCallsEnd() async throws {
        let f = try await Fixture()
        try await f.application().test(.router) { client async throws in
            try await consulting8002(f, client, .http)
            _ = try await call(client, .http, "transfer", Fixture.agent8001)
            #expect(
                try await call(client, .http, "hangup", Fixture.agent("8002").with(["target": "agent", "targetagent": "8002"])).code == 1)
            #expect(await f.pbx.liveLegs().isEmpty)
        }
        await #expect(
            try story(f, "8002").suffix(3) == ["AGENT hangup 19868 8002", "CALLEE hangup 19867 8001", "CONVERSATION hangup 0 8001"])
    }
}
