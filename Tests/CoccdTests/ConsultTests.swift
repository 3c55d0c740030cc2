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

@Suite("consult, transfer, callReturn, conference")
struct ConsultTests {
    /// 8001 talking with 13800000001 (legs 19866, 19867); 8002 logged in and idle.
    func conversation(_ f: Fixture, _ client: some TestClientProtocol, _ interface: Interface) async throws {
        _ = try await call(client, interface, "login", Fixture.agent8001)
        _ = try await call(client, interface, "login", Fixture.agent("8002"))
        _ = try await call(client, interface, "makeCall", OutboundCallTests.dial)
        await f.advance(3)
    }

    func kinds(_ f: Fixture) async throws -> [String] {
        try await f.events().map { "\(field($0, "source")!) \(field($0, "event")!)" }
    }

    @Test(arguments: Interface.allCases)
    func consultAnAgentThenReturn(_ interface: Interface) async throws {
        let f = try await Fixture()
        try await f.application().test(.router) { client async throws in
            try await conversation(f, client, interface)
            let consult = Fixture.agent8001.with(["targetdn": "8002", "agentgroupid": "1", "consulttype": "internal"])
            #expect(try await call(client, interface, "consult", consult) == Outcome(code: 1, message: "BackMsg_27"))
            #expect(await f.pbx.isHeld(uniqueid: 19867))
            #expect(try await call(client, interface, "consult", consult) == Outcome(code: 2, message: "BackMsg_95"))
            await f.advance(1)  // 8002 answers: connected to 8001
            #expect(await f.pbx.bridgedWith(uniqueid: 19866) == 19868)
            #expect(
                try await call(client, interface, "agentgroupStatus", Fixture.account.with(["agent_group_id": "1", "status": "busy"]))
                    .message
                    == "8001:busy,8002:busy")
            #expect(try await call(client, interface, "callReturn", Fixture.agent8001) == Outcome(code: 1, message: "BackMsg_32"))
            #expect(await f.pbx.bridgedWith(uniqueid: 19866) == 19867)
            #expect(await !f.pbx.isHeld(uniqueid: 19867))
            #expect(try await call(client, interface, "agentStatus", Fixture.agent("8002")).extra == "1-idle,")
            #expect(try await call(client, interface, "callReturn", Fixture.agent8001) == Outcome(code: 2, message: "BackMsg_33"))
        }
        // callReturn resumes the customer at once; the consulted leg's hangup is the switch's
        // report of the command, so it follows (as on Asterisk).
        let seen = try await kinds(f).dropFirst(4)
        #expect(seen == ["CALLEE onhold", "CONSULT ringing", "CONSULT answer", "CALLEE resume", "CONSULT hangup"], "\(seen)")
        let consultRinging = try await f.events()[5]
        #expect(
            field(consultRinging, "uniqueid") == "19868"
                && field(consultRinging, "channel")?.hasPrefix("Local/8002@hosted-dialout-") == true)
    }

    @Test
    func consultANumberThenTransfer() async throws {
        let f = try await Fixture()
        try await f.application().test(.router) { client async throws in
            try await conversation(f, client, .http)
            #expect(try await call(client, .http, "transfer", Fixture.agent8001) == Outcome(code: 2, message: "BackMsg_29"))
            _ = try await call(
                client, .http, "consult",
                Fixture.agent8001.with(["targetdn": "13912345678", "agentgroupid": "0", "consulttype": "external"]))
            // still ringing
            #expect(try await call(client, .http, "transfer", Fixture.agent8001) == Outcome(code: 2, message: "BackMsg_29"))
            await f.advance(3)
            #expect(try await call(client, .http, "transfer", Fixture.agent8001) == Outcome(code: 1, message: "BackMsg_31"))
            // The agent is free at once; customer and consulted party talk on.
            #expect(try await call(client, .http, "agentStatus", Fixture.agent8001).extra == "1-idle,2-logout,")
            #expect(await f.pbx.bridgedWith(uniqueid: 19867) == 19868)
            #expect(
                try await call(client, .http, "hangup", Fixture.agent8001.with(["target": "all", "targetagent": "8001"]))
                    == Outcome(code: 2, message: "BackMsg_92"))
            try await f.pbx.farEndHangup(uniqueid: 19867)
            #expect(await f.pbx.liveLegs().isEmpty)
        }
        await #expect(
            try kinds(f).dropFirst(4) == [
                "CALLEE onhold", "CONSULT ringing", "CONSULT answer", "CALLEE resume", "AGENT hangup",
                "CALLEE hangup", "CONSULT hangup", "CONVERSATION hangup",
            ])
        let sid = try await #require(field(try f.events()[0], "sessionid"))
        await #expect(try f.store.callRecord(sessionid: sid)?.disposition == "answered")
    }

    @Test
    func conferenceThenTheAgentLeaves() async throws {
        let f = try await Fixture()
        try await f.application().test(.router) { client async throws in
            try await conversation(f, client, .soap)
            #expect(try await call(client, .soap, "conference", Fixture.agent8001) == Outcome(code: 2, message: "BackMsg_35"))
            _ = try await call(
                client, .soap, "consult", Fixture.agent8001.with(["targetdn": "8002", "agentgroupid": "1", "consulttype": "internal"]))
            await f.advance(1)
            #expect(try await call(client, .soap, "conference", Fixture.agent8001) == Outcome(code: 1, message: "BackMsg_34"))
            #expect(await f.pbx.conferencedWith(uniqueid: 19866) == [19867, 19868])
            #expect(
                try await call(client, .soap, "hangup", Fixture.agent8001.with(["target": "agent", "targetagent": "8001"]))
                    == Outcome(code: 1, message: "BackMsg_37"))
            #expect(await f.pbx.bridgedWith(uniqueid: 19867) == 19868)
            #expect(try await call(client, .soap, "agentStatus", Fixture.agent8001).extra == "1-idle,2-logout,")
            #expect(try await call(client, .soap, "agentStatus", Fixture.agent("8002")).extra == "1-busy,")
            // The consulted agent hangs its own leg up: the call ends.
            #expect(
                try await call(client, .soap, "hangup", Fixture.agent("8002").with(["target": "agent", "targetagent": "8002"]))
                    == Outcome(code: 1, message: "BackMsg_37"))
            #expect(await f.pbx.liveLegs().isEmpty)
            #expect(try await call(client, .soap, "agentStatus", Fixture.agent("8002")).extra == "1-idle,")
        }
        await #expect(
            try kinds(f).dropFirst(4) == [
                "CALLEE onhold", "CONSULT ringing", "CONSULT answer", "CALLEE join", "CONSULT join", "AGENT hangup",
                "CONSULT hangup", "CALLEE hangup", "CONVERSATION hangup",
            ])
    }

    @Test
    func refusals() async throws {
        let f = try await Fixture()
        try await f.application().test(.router) { client async throws in
            let inner = Fixture.agent8001.with(["targetdn": "8003", "agentgroupid": "1", "consulttype": "internal"])
            _ = try await call(client, .cji, "login", Fixture.agent8001)
            #expect(try await call(client, .cji, "consult", inner) == Outcome(code: 2, message: "BackMsg_56[idle]"))
            _ = try await call(client, .cji, "login", Fixture.agent("8002"))
            _ = try await call(client, .cji, "makeCall", OutboundCallTests.dial)
            await f.advance(3)
            #expect(try await call(client, .cji, "consult", inner) == Outcome(code: 2, message: "BackMsg_25"))  // 8003 not logged in
            #expect(
                try await call(client, .cji, "consult", inner.with(["targetdn": "8002", "agentgroupid": "2"]))
                    == Outcome(code: 2, message: "BackMsg_25"))
            #expect(try await call(client, .cji, "consult", inner.with(["targetdn": "4444"])) == Outcome(code: 2, message: "BackMsg_55"))
            #expect(
                try await call(client, .cji, "consult", inner.with(["consulttype": "sideways"])) == Outcome(code: 2, message: "BackMsg_28"))
            #expect(
                try await call(client, .cji, "hangup", Fixture.agent8001.with(["target": "consult", "targetagent": "8001"]))
                    == Outcome(code: 2, message: "BackMsg_92"))
            _ = try await call(client, .cji, "consult", inner.with(["targetdn": "8002"]))
            #expect(
                try await call(client, .cji, "hangup", Fixture.agent8001.with(["target": "consult", "targetagent": "8001"]))
                    == Outcome(code: 1, message: "BackMsg_37"))
            // Still on hold until the agent takes the customer back.
            #expect(await f.pbx.isHeld(uniqueid: 19867))
            #expect(try await call(client, .cji, "callReturn", Fixture.agent8001) == Outcome(code: 1, message: "BackMsg_32"))
        }
    }
}

@Suite("agentToIvr")
struct AgentToIvrTests {
    func onACall(_ f: Fixture, _ client: some TestClientProtocol, _ interface: Interface) async throws {
        _ = try await call(client, interface, "login", Fixture.agent8001)
        _ = try await call(client, interface, "makeCall", OutboundCallTests.dial)
        await f.advance(3)
    }

    @Test(arguments: Interface.allCases)
    func suspendThenReturn(_ interface: Interface) async throws {
        let f = try await Fixture()
        try await f.application().test(.router) { client async throws in
            let ivr = Fixture.agent8001.with(["ivrexten": "7000", "ivrflow": "1-2-5", "transfer": "1"])
            #expect(try await call(client, interface, "agentToIvr", ivr) == Outcome(code: 2, message: "BackMsg_92"))
            try await onACall(f, client, interface)
            #expect(
                try await call(client, interface, "agentToIvr", ivr.with(["ivrexten": "7999"])) == Outcome(code: 2, message: "BackMsg_106"))
            for bad in ["1-9", "1--2", "x", "1-2-5-1"] {
                #expect(
                    try await call(client, interface, "agentToIvr", ivr.with(["ivrflow": bad])) == Outcome(code: 2, message: "BackMsg_107"),
                    "\(bad)")
            }
            #expect(try await call(client, interface, "agentToIvr", ivr.with(["transfer": "2"])) == Outcome(code: 2, message: "BackMsg_28"))
            #expect(try await call(client, interface, "agentToIvr", ivr) == Outcome(code: 1, message: "BackMsg_108"))
            let location = try #require(await f.pbx.ivrLocation(uniqueid: 19867))
            #expect(location.exten == "7000" && location.path == ["1", "2", "5"])
            #expect(await f.pbx.isHeld(uniqueid: 19866))
            #expect(try await call(client, interface, "agentStatus", Fixture.agent8001).extra == "1-busy,2-logout,")
            #expect(try await call(client, interface, "callReturn", Fixture.agent8001) == Outcome(code: 1, message: "BackMsg_32"))
            #expect(await f.pbx.ivrLocation(uniqueid: 19867) == nil)
            #expect(await f.pbx.bridgedWith(uniqueid: 19866) == 19867)
            #expect(await !f.pbx.isHeld(uniqueid: 19866))
        }
    }

    @Test
    func releaseLeavesTheCustomerWithTheIVR() async throws {
        let f = try await Fixture()
        try await f.application().test(.router) { client async throws in
            try await onACall(f, client, .http)
            #expect(
                try await call(client, .http, "agentToIvr", Fixture.agent8001.with(["ivrexten": "7000", "ivrflow": "", "transfer": "0"]))
                    == Outcome(code: 1, message: "BackMsg_108"))
            #expect(try await call(client, .http, "agentStatus", Fixture.agent8001).extra == "1-idle,2-logout,")
            #expect(await f.pbx.ivrLocation(uniqueid: 19867)?.path == [])
            #expect(await f.pbx.liveLegs().map(\.uniqueid) == [19867])
            try await f.pbx.farEndHangup(uniqueid: 19867)
        }
        await #expect(
            try f.events().suffix(3).map { field($0, "source")! + " " + field($0, "event")! } == [
                "AGENT hangup", "CALLEE hangup", "CONVERSATION hangup",
            ])
    }

    @Test
    func notDuringAConsultNorReleasedFromAConference() async throws {
        let f = try await Fixture()
        try await f.application().test(.router) { client async throws in
            _ = try await call(client, .cji, "login", Fixture.agent("8002"))
            try await onACall(f, client, .cji)
            _ = try await call(
                client, .cji, "consult", Fixture.agent8001.with(["targetdn": "8002", "agentgroupid": "1", "consulttype": "internal"]))
            let ivr = Fixture.agent8001.with(["ivrexten": "7000", "ivrflow": "2-#", "transfer": "0"])
            #expect(try await call(client, .cji, "agentToIvr", ivr) == Outcome(code: 2, message: "BackMsg_104"))
            await f.advance(1)
            _ = try await call(client, .cji, "conference", Fixture.agent8001)
            #expect(try await call(client, .cji, "agentToIvr", ivr) == Outcome(code: 2, message: "BackMsg_105"))
            #expect(try await call(client, .cji, "agentToIvr", ivr.with(["transfer": "1"])) == Outcome(code: 1, message: "BackMsg_108"))
        }
    }
}
