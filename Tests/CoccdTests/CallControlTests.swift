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

@Suite("hold, resume and hangup")
struct CallControlTests {
    /// 8001 on an answered call with 13800000001: agent leg 19866, customer leg 19867.
    func answeredCall(_ f: Fixture, _ client: some TestClientProtocol, _ interface: Interface) async throws {
        _ = try await call(client, interface, "login", Fixture.agent8001)
        #expect(try await call(client, interface, "makeCall", OutboundCallTests.dial).code == 1)
        await f.advance(1)
        await f.advance(2)
    }

    @Test(arguments: Interface.allCases)
    func holdAndResume(_ interface: Interface) async throws {
        let f = try await Fixture()
        try await f.application().test(.router) { client async throws in
            #expect(
                try await call(client, interface, "hold", Fixture.agent8001.with(["silence": "0"]))
                    == Outcome(code: 2, message: "BackMsg_92"))
            _ = try await call(client, interface, "login", Fixture.agent8001)
            _ = try await call(client, interface, "makeCall", OutboundCallTests.dial)
            await f.advance(1)  // the customer rings, not yet a two-party call
            #expect(
                try await call(client, interface, "hold", Fixture.agent8001.with(["silence": "1"]))
                    == Outcome(code: 2, message: "BackMsg_96"))
            await f.advance(2)
            #expect(try await call(client, interface, "resume", Fixture.agent8001) == Outcome(code: 2, message: "BackMsg_53"))
            #expect(
                try await call(client, interface, "hold", Fixture.agent8001.with(["silence": "1"]))
                    == Outcome(code: 1, message: "BackMsg_52"))
            #expect(await f.pbx.isHeld(uniqueid: 19867))
            #expect(
                try await call(client, interface, "hold", Fixture.agent8001.with(["silence": "1"]))
                    == Outcome(code: 2, message: "BackMsg_51"))
            #expect(try await call(client, interface, "resume", Fixture.agent8001) == Outcome(code: 1, message: "BackMsg_54"))
            #expect(await !f.pbx.isHeld(uniqueid: 19867))
            #expect(
                try await call(client, interface, "hold", Fixture.account.with(["silence": "0"])) == Outcome(code: 2, message: "BackMsg_12")
            )
        }
        let events = try await f.events()
        #expect(
            events.map { "\(field($0, "source")!) \(field($0, "event")!) \(field($0, "uniqueid")!)" }.suffix(2) == [
                "CALLEE onhold 19867", "CALLEE resume 19867",
            ])
    }

    @Test(arguments: Interface.allCases)
    func hangupByChannel(_ interface: Interface) async throws {
        let f = try await Fixture()
        try await f.application().test(.router) { client async throws in
            try await answeredCall(f, client, interface)
            let h = Fixture.agent8001.with(["target": "channel"])
            #expect(try await call(client, interface, "hangup", h) == Outcome(code: 2, message: "BackMsg_01"))
            #expect(try await call(client, interface, "hangup", h.with(["uniqueid": "x1"])) == Outcome(code: 2, message: "BackMsg_28"))
            #expect(
                try await call(client, interface, "hangup", h.with(["uniqueid": "19867,4781"]))
                    == Outcome(code: 1, message: "19867:success,4781:failed"))
            #expect(await f.pbx.liveLegs().isEmpty)
            #expect(try await call(client, interface, "hangup", h.with(["uniqueid": "19866"])) == Outcome(code: 2, message: "19866:failed"))
        }
        await #expect(try f.events().last.flatMap { field($0, "source") } == "CONVERSATION")
    }

    @Test(arguments: ["agent", "caller", "all"])
    func hangupByTarget(_ target: String) async throws {
        let f = try await Fixture()
        try await f.application().test(.router) { client async throws in
            try await answeredCall(f, client, .soap)
            #expect(
                try await call(client, .soap, "hangup", Fixture.agent8001.with(["target": target, "targetagent": "8001"]))
                    == Outcome(code: 1, message: "BackMsg_37"))
            #expect(await f.pbx.liveLegs().isEmpty)
            #expect(
                try await call(client, .soap, "hangup", Fixture.agent8001.with(["target": target, "targetagent": "8001"]))
                    == Outcome(code: 2, message: "BackMsg_92"))
        }
        // Whoever goes first, the call ends with the CONVERSATION hangup.
        let kinds = try await f.events().suffix(3).map { "\(field($0, "source")!) \(field($0, "event")!)" }
        #expect(
            kinds
                == (target != "caller"
                    ? ["AGENT hangup", "CALLEE hangup", "CONVERSATION hangup"]
                    : ["CALLEE hangup", "AGENT hangup", "CONVERSATION hangup"]))
    }

    @Test
    func hangupPermissionsAndTeams() async throws {
        let f = try await Fixture()
        try await f.application().test(.router) { client async throws in
            _ = try await call(client, .http, "login", Fixture.agent("8002"))
            _ = try await call(client, .http, "makeCall", OutboundCallTests.dial.with(Fixture.agent("8002")).with(["agentgroupid": "1"]))
            await f.advance(1)
            // 8003 does not lead 8002's group; 8001 does; the account may act on anyone.
            #expect(
                try await call(client, .http, "hangup", Fixture.agent("8003").with(["target": "all", "targetagent": "8002"]))
                    == Outcome(code: 2, message: "BackMsg_65"))
            #expect(
                try await call(client, .http, "hangup", Fixture.agent("8003").with(["target": "channel", "uniqueid": "19866"]))
                    == Outcome(code: 2, message: "19866:failed"))
            #expect(
                try await call(client, .http, "hangup", Fixture.agent8001.with(["target": "nobody", "targetagent": "8002"]))
                    == Outcome(code: 2, message: "BackMsg_28"))
            #expect(
                try await call(client, .http, "hangup", Fixture.agent8001.with(["target": "all", "targetagent": "9999"]))
                    == Outcome(code: 2, message: "BackMsg_55"))
            #expect(
                try await call(client, .http, "hangup", Fixture.agent8001.with(["target": "consult", "targetagent": "8002"]))
                    == Outcome(code: 2, message: "BackMsg_92"))
            // The other team's account cannot reach demo's legs.
            let boss = ["orgidentity": "other", "usertype": "account", "user": "boss", "pwdtype": "plaintext", "password": "bosspw"]
            #expect(
                try await call(client, .http, "hangup", boss.with(["target": "channel", "uniqueid": "19866,19867"]))
                    == Outcome(code: 2, message: "19866:failed,19867:failed"))
            #expect(await f.pbx.liveLegs().count == 2)
            #expect(
                try await call(client, .http, "hangup", Fixture.account.with(["target": "caller", "targetagent": "8002"]))
                    == Outcome(code: 1, message: "BackMsg_37"))
            #expect(await f.pbx.liveLegs().isEmpty)
        }
    }
}

@Suite("calls across a restart")
struct CallRestartTests {
    @Test
    func shutdownHangsUpAndACrashIsRepaired() async throws {
        let f = try await Fixture()
        try await f.application().test(.router) { client async throws in
            _ = try await call(client, .http, "login", Fixture.agent8001)
            _ = try await call(client, .http, "makeCall", OutboundCallTests.dial)
            await f.advance(3)
        }
        // A crash: the stored session still says talking; a restarted engine clears it.
        #expect(try await f.center.engine(team: 1).sessionSnapshot(agentID: 1)?.call == .talking)
        #expect(try await f.restarted().engine(team: 1).sessionSnapshot(agentID: 1)?.call == CallActivity.none)
        // A graceful stop: every live call ends with its hangup events.
        await f.center.hangUpAllCalls()
        await f.settle()
        await #expect(
            try f.events().suffix(3).map { field($0, "source")! + " " + field($0, "event")! }
                == ["AGENT hangup", "CALLEE hangup", "CONVERSATION hangup"])
        #expect(await f.pbx.liveLegs().isEmpty)
    }
}

@Suite("sendDtmf and setVar")
struct DTMFAndVariableTests {
    @Test(arguments: Interface.allCases)
    func digitsAndCallData(_ interface: Interface) async throws {
        let f = try await Fixture()
        try await f.application().test(.router) { client async throws in
            func dtmf(_ digits: String, _ who: [String: String] = Fixture.agent8001) async throws -> Outcome {
                try await call(client, interface, "sendDtmf", who.with(["dtmf": digits]))
            }
            func setVar(_ name: String, _ value: String) async throws -> Outcome {
                try await call(client, interface, "setVar", Fixture.agent8001.with(["varname": name, "varvalue": value]))
            }
            #expect(try await dtmf("12") == Outcome(code: 2, message: "BackMsg_92"))
            #expect(try await setVar("ORDER_ID", "42") == Outcome(code: 2, message: "BackMsg_64"))
            _ = try await call(client, interface, "login", Fixture.agent8001)
            _ = try await call(client, interface, "makeCall", OutboundCallTests.dial)
            await f.advance(1)
            // Ringing only: not yet a conversation to send digits into; call data can be set already.
            #expect(try await dtmf("1") == Outcome(code: 2, message: "BackMsg_92"))
            #expect(try await setVar("CRM-TICKET_7", "a=1&b=2") == Outcome(code: 1, message: "BackMsg_102"))
            await f.advance(2)
            for bad in ["12a", "1 2", "", "١٢"] {
                #expect(try await dtmf(bad) == Outcome(code: 2, message: "BackMsg_97"), "\(bad)")
            }
            #expect(try await dtmf("0123456789*#") == Outcome(code: 1, message: "BackMsg_99"))
            #expect(await f.pbx.receivedDTMF(uniqueid: 19867) == "0123456789*#")
            for bad in ["order", "_X", "-X", "A.B", "Ä", ""] {
                #expect(try await setVar(bad, "v") == Outcome(code: 2, message: "BackMsg_101"), "\(bad)")
            }
            #expect(try await setVar("9LIVES", "yes") == Outcome(code: 1, message: "BackMsg_102"))
            #expect(await f.pbx.variables(uniqueid: 19866) == ["CRM-TICKET_7": "a=1&b=2", "9LIVES": "yes"])
            // it was ringing then: a live leg
            #expect(await f.pbx.variables(uniqueid: 19867) == ["CRM-TICKET_7": "a=1&b=2", "9LIVES": "yes"])
            // Another agent with no call of its own reaches nothing.
            _ = try await call(client, interface, "login", Fixture.agent("8002"))
            #expect(try await dtmf("5", Fixture.agent("8002")) == Outcome(code: 2, message: "BackMsg_92"))
        }
    }
}
