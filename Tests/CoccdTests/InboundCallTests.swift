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

/// The manual's inbound layout (A.5.3): `from` before `channel`, no trailing `&`.
func inbound(
    _ source: String, _ event: String, uniqueid: Int64, sessionid: String, time: Date, channel: String, eventid: Int,
    agentExten: String = "8001", caller: String = "0138888888888", queue: String = "6001", group: Int = 1
) -> String {
    "calleridnum=\(caller)&didnumber=\(queue)&activenum=\(agentExten)&source=\(source)&event=\(event)&uniqueid=\(uniqueid)&sessionid=\(sessionid)"
        + "&eventTime=\(eventTime(time))&AgentTeamId=1&modeltype=Customerservice&model_id=\(group)&AgentGroupId=\(group)"
        + "&from=dialin&channel=\(channel)&eventid=\(eventid)&userdata="
}

/// 8001 (answer-ACW in group 1) answers caller 111 and the caller hangs up, so 8001 enters
/// after-call work; a second caller, 222, is then waiting in queue 6001.
func inboundCallThenAfterCallWork(_ f: Fixture, _ client: some TestClientProtocol) async throws {
    _ = try await call(client, .http, "login", Fixture.agent8001)
    _ = try await call(client, .http, "acwAction", Fixture.agent8001.with(["type": "2", "agent_group_id": "1"]))
    await f.pbx.placeInbound(from: "111", to: "6001", tenant: "demo")
    await f.advance(1)
    try await f.pbx.farEndHangup(uniqueid: 1555)
    await f.pbx.placeInbound(from: "222", to: "6001", tenant: "demo")
}

@Suite("inbound calls: queues, distribution and the manual's event sequence")
struct InboundCallTests {
    @Test
    func inboundSequenceMatchesTheManual() async throws {
        let f = try await Fixture()
        let t0 = f.clock()
        try await f.application().test(.router) { client async throws in
            _ = try await call(client, .http, "login", Fixture.agent8001)
            let caller = await f.pbx.placeInbound(from: "0138888888888", to: "6001", tenant: "demo")
            #expect(caller.uniqueid == 1555)
            await f.advance(0)  // offered to 8001: its phone rings
            await f.advance(1)  // and answers
            #expect(await f.pbx.bridgedWith(uniqueid: 1555) == 19866)
            #expect(try await call(client, .http, "agentStatus", Fixture.agent8001).extra == "1-busy,2-logout,")
            await f.advance(100)
            try await f.pbx.farEndHangup(uniqueid: 1555)
            #expect(try await call(client, .http, "agentStatus", Fixture.agent8001).extra == "1-idle,2-logout,")
        }
        let events = try await f.events()
        try #require(events.count == 6)
        let sid = try #require(field(events[0], "sessionid"))
        let callerChannel = try #require(field(events[0], "channel"))
        let agentChannel = try #require(field(events[1], "channel"))
        #expect(callerChannel.hasPrefix("Local/0138888888888@hosted-dialin-") && agentChannel.hasPrefix("Local/8001@hosted-dialin-"))
        let t1 = t0 + 1
        let t101 = t0 + 101
        #expect(
            events == [
                "source=CALLER&event=incoming&modeltype=Customerservice&uniqueid=1555&model_id=1&from=dialin&sessionid=\(sid)&channel=\(callerChannel)&eventid=1&userdata=",
                // eventid 2 is 8001's own copy of the incoming, given as the call was offered to it
                // (AgentChannelStoryTests): it is in 8001's channel, not the team's.
                inbound("AGENT", "ringing", uniqueid: 19866, sessionid: sid, time: t0, channel: agentChannel, eventid: 3),
                inbound("AGENT", "answer", uniqueid: 19866, sessionid: sid, time: t1, channel: "", eventid: 4),
                inbound("CALLER", "hangup", uniqueid: 1555, sessionid: sid, time: t101, channel: callerChannel, eventid: 5),
                inbound("AGENT", "hangup", uniqueid: 19866, sessionid: sid, time: t101, channel: agentChannel, eventid: 6),
                "calleridnum=0138888888888&didnumber=&activenum=8001&source=CONVERSATION&event=hangup&uniqueid=0&sessionid=\(sid)&eventTime=\(eventTime(t101))"
                    + "&AgentTeamId=1&modeltype=Customerservice&model_id=1&AgentGroupId=1&channel=&from=dialin&eventid=7&userdata=&",
            ])
        let record = try await #require(try f.store.callRecord(sessionid: sid))
        #expect(
            record.direction == "dialin" && record.disposition == "answered" && record.agentNumber == "8001" && record.didNumber == "6001")
    }

    @Test
    func longestIdleAgentFirstAndPausedAgentsSkipped() async throws {
        let f = try await Fixture()
        try await f.application().test(.router) { client async throws in
            _ = try await call(client, .soap, "login", Fixture.agent("8002"))
            f.clock.advance(5)
            _ = try await call(client, .soap, "login", Fixture.agent("8003"))
            _ = try await call(client, .soap, "login", Fixture.agent8001)
            _ = try await call(client, .soap, "queuePause", Fixture.agent8001.with(["type": "1", "pause_reason": "rest"]))
            await f.pbx.placeInbound(from: "111", to: "6001", tenant: "demo")
            await f.advance(0)
            // 8002 has been idle longest; 8001 is paused.
            #expect(
                try await call(client, .soap, "agentgroupStatus", Fixture.account.with(["agent_group_id": "1", "status": "all"])).message
                    == "8001:pause,8002:ring,8003:idle")
            await f.pbx.placeInbound(from: "222", to: "6001", tenant: "demo")
            await f.advance(0)
            #expect(
                try await call(client, .soap, "agentgroupStatus", Fixture.account.with(["agent_group_id": "1", "status": "ring"])).message
                    == "8002:ring,8003:ring")
            await f.pbx.placeInbound(from: "333", to: "6001", tenant: "demo", priority: 5)
            await f.advance(0)
            #expect(try await soapCall(client, "queueCustomerNum", ["orgidentity": "demo", "queuenumber": "6001"]) == "1|3|2|1|0")
            // Unpausing offers the waiting call at once.
            _ = try await call(client, .soap, "queuePause", Fixture.agent8001.with(["type": "2"]))
            await f.advance(0)
            #expect(try await call(client, .soap, "agentStatus", Fixture.agent8001).extra == "1-ring,2-logout,")
            await f.advance(1)
            #expect(
                try await soapCall(client, "queueCustomerNum", ["orgidentity": "demo", "queuenumber": "0", "prio": "1"]) == "1|1|0|0|1")
            #expect(
                try await call(client, .http, "queueCustomerNum", ["orgidentity": "demo", "queuenumber": "6001"])
                    == Outcome(code: 1, message: "3|0|0|3"))
            #expect(
                try await call(client, .cji, "queueCustomerNum", ["orgidentity": "demo", "queuenumber": "6002"])
                    == Outcome(code: 1, message: "0|0|0|0"))
            #expect(try await soapCall(client, "queueCustomerNum", ["orgidentity": "demo", "queuenumber": "7777"]) == "0|BackMsg_30")
            #expect(try await soapCall(client, "queueCustomerNum", ["orgidentity": "nope", "queuenumber": "0"]) == "0|BackMsg_02")
            #expect(
                try await call(client, .http, "queueCustomerNum", ["orgidentity": "demo", "queuenumber": "0", "prio": "x"])
                    == Outcome(code: 2, message: "BackMsg_28"))
        }
    }

    @Test
    func ringNoAnswerGoesToTheNextAgent() async throws {
        var rules = Fixture.rules
        rules.autoAnswerExtensions = false
        let f = try await Fixture(rules: rules)
        try await f.application().test(.router) { client async throws in
            _ = try await call(client, .cji, "login", Fixture.agent8001)
            f.clock.advance(1)
            _ = try await call(client, .cji, "login", Fixture.agent("8002"))
            await f.pbx.placeInbound(from: "0138888888888", to: "6001", tenant: "demo")
            await f.advance(0)
            #expect(try await call(client, .cji, "agentStatus", Fixture.agent8001).extra == "1-ring,2-logout,")
            await f.advance(20)  // 8001 lets it ring out
            #expect(try await call(client, .cji, "agentStatus", Fixture.agent8001).extra == "1-idle,2-logout,")
            #expect(try await call(client, .cji, "agentStatus", Fixture.agent("8002")).extra == "1-ring,")
            try await f.pbx.answer(uniqueid: 19867)
            #expect(try await call(client, .cji, "agentStatus", Fixture.agent("8002")).extra == "1-busy,")
            // The agent hangs up the caller; acw mode 3 (off) leaves it idle.
            #expect(
                try await call(client, .cji, "hangup", Fixture.agent("8002").with(["target": "caller", "targetagent": "8002"]))
                    == Outcome(code: 1, message: "BackMsg_37"))
        }
        await #expect(
            try f.events().map { "\(field($0, "source")!) \(field($0, "event")!) \(field($0, "activenum") ?? "-")" } == [
                "CALLER incoming -", "AGENT ringing 8001", "AGENT hangup 8001", "AGENT ringing 8002", "AGENT answer 8002",
                "CALLER hangup 8002", "AGENT hangup 8002", "CONVERSATION hangup 8002",
            ])
    }

    @Test
    func abandonWhileWaitingAndTeamsStayApart() async throws {
        let f = try await Fixture()
        try await f.application().test(.router) { client async throws in
            // The other team's queue 6001 is its own; nobody there is logged in either.
            await f.pbx.placeInbound(from: "999", to: "6001", tenant: "other")
            await f.pbx.placeInbound(from: "0138888888888", to: "6001", tenant: "demo")
            await f.pbx.placeInbound(from: "555", to: "6099", tenant: "demo")  // no such queue: hung up
            #expect(try await soapCall(client, "queueCustomerNum", ["orgidentity": "demo", "queuenumber": "0"]) == "1|1|0|1|0")
            #expect(try await soapCall(client, "queueCustomerNum", ["orgidentity": "other", "queuenumber": "6001"]) == "1|1|0|1|0")
            f.clock.advance(30)
            try await f.pbx.farEndHangup(uniqueid: 1556)
            #expect(try await soapCall(client, "queueCustomerNum", ["orgidentity": "demo", "queuenumber": "0"]) == "1|0|0|0|0")
        }
        let events = try await f.events()
        #expect(
            events.map { "\(field($0, "source")!) \(field($0, "event")!)" } == ["CALLER incoming", "CALLER hangup", "CONVERSATION hangup"])
        let abandoned = try #require(field(events[0], "sessionid"))
        let record = try await #require(try f.store.callRecord(sessionid: abandoned))
        #expect(record.disposition == "abandoned" && record.agentNumber == "")
        await #expect(try f.events(team: 2).count == 1)
        #expect(await f.pbx.liveLegs().map(\.number) == ["999"])
    }

    @Test
    func afterCallWorkForInboundAndDispatchAfterACW() async throws {
        let f = try await Fixture()
        try await f.application().test(.router) { client async throws in
            try await inboundCallThenAfterCallWork(f, client)
            #expect(try await call(client, .http, "agentStatus", Fixture.agent8001).extra == "1-acw,2-logout,")
            #expect(try await soapCall(client, "queueCustomerNum", ["orgidentity": "demo", "queuenumber": "6001"]) == "1|1|0|1|0")
            _ = try await call(client, .http, "acwOff", Fixture.agent8001)  // free again: the waiting call is offered
            await f.advance(0)
            #expect(try await call(client, .http, "agentStatus", Fixture.agent8001).extra == "1-ring,2-logout,")
        }
    }
}

@Suite("simulator control surface")
struct SimulatorSurfaceTests {
    @Test
    func placeAndEndCallsOverHTTP() async throws {
        let f = try await Fixture()
        let app = Application(
            router: CoccApplication.router(configuration: f.configuration, center: f.center, simulator: f.pbx), logger: Fixture.quiet)
        try await app.test(.router) { client async throws in
            let admin = "orgidentity=demo&user=admin&password=admin123"
            try await client.execute(uri: "/simulator/inbound?\(admin)&to=6001&from=0138888888888", method: .post) { r in
                #expect(r.status == .ok)
                #expect(String(buffer: r.body).hasPrefix("{\"uniqueid\":1555,\"channel\":\"Local/0138888888888@hosted-dialin-"))
            }
            try await client.execute(uri: "/simulator/inbound", method: .post, body: ByteBuffer(string: "\(admin)&to=6001")) { r in
                #expect(r.status == .badRequest)
            }
            try await client.execute(uri: "/simulator/legs?\(admin)", method: .get) { r in
                #expect(String(buffer: r.body).contains("\"uniqueid\":1555,\"number\":\"0138888888888\""))
            }
            // Another team's account sees none of demo's legs and cannot move them; no
            // credentials, or wrong ones, see nothing at all.
            let other = "orgidentity=other&user=boss&password=bosspw"
            try await client.execute(uri: "/simulator/legs?\(other)", method: .get) { r in #expect(String(buffer: r.body) == "[]") }
            try await client.execute(uri: "/simulator/legs/1555/hangup?\(other)", method: .post) { r in #expect(r.status == .notFound) }
            try await client.execute(uri: "/simulator/legs", method: .get) { r in #expect(r.status == .forbidden) }
            try await client.execute(uri: "/simulator/legs?orgidentity=demo&user=admin&password=x", method: .get) { r in
                #expect(r.status == .forbidden)
            }
            try await client.execute(uri: "/simulator/inbound?to=6001&from=1", method: .post) { r in #expect(r.status == .forbidden) }
            #expect(try await soapCall(client, "queueCustomerNum", ["orgidentity": "demo", "queuenumber": "6001"]) == "1|1|0|1|0")
            try await client.execute(uri: "/simulator/legs/1555/dtmf?\(admin)&digits=12%23", method: .post) { r in #expect(r.status == .ok)
            }
            try await client.execute(uri: "/simulator/legs/1555/dtmf?\(admin)&digits=12a", method: .post) { r in
                #expect(r.status == .badRequest)
            }
            #expect(await f.pbx.receivedDTMF(uniqueid: 1555) == "12#")
            try await client.execute(uri: "/simulator/legs/1555/hangup?\(admin)", method: .post) { r in #expect(r.status == .ok) }
            try await client.execute(uri: "/simulator/legs/1555/hangup?\(admin)", method: .post) { r in #expect(r.status == .notFound) }
            #expect(try await soapCall(client, "queueCustomerNum", ["orgidentity": "demo", "queuenumber": "6001"]) == "1|0|0|0|0")
        }
        // Without --demo or --simulate there is no such surface.
        try await f.application().test(.router) { client async throws in
            try await client.execute(uri: "/simulator/inbound?team=demo&to=6001&from=1", method: .post) { r in
                #expect(r.status == .notFound)
            }
        }
    }
}

@Suite("after-call work time limit")
struct AfterCallWorkLimitTests {
    @Test
    func expiredWorkEndsAndTheAgentTakesTheNextCall() async throws {
        let f = try await Fixture()
        try await f.application().test(.router) { client async throws in
            try await inboundCallThenAfterCallWork(f, client)
            f.clock.advance(29)
            #expect(await f.center.expireAfterCallWork(olderThan: 30) == 0)
            #expect(try await call(client, .http, "agentStatus", Fixture.agent8001).extra == "1-acw,2-logout,")
            f.clock.advance(1)
            #expect(await f.center.expireAfterCallWork(olderThan: 30) == 1)
            await f.advance(0)
            #expect(try await call(client, .http, "agentStatus", Fixture.agent8001).extra == "1-ring,2-logout,")
        }
    }
}

@Suite("configurable ring timeout")
struct RingTimeoutTests {
    @Test
    func offersRollOverAfterTheConfiguredTime() async throws {
        var rules = Fixture.rules
        rules.autoAnswerExtensions = false
        let f = try await Fixture(rules: rules, ringTimeout: .seconds(5))
        try await f.application().test(.router) { client async throws in
            _ = try await call(client, .http, "login", Fixture.agent8001)
            f.clock.advance(1)
            _ = try await call(client, .http, "login", Fixture.agent("8002"))
            await f.pbx.placeInbound(from: "111", to: "6001", tenant: "demo")
            await f.advance(4.9)
            #expect(try await call(client, .http, "agentStatus", Fixture.agent8001).extra == "1-ring,2-logout,")
            await f.advance(0.1)
            #expect(try await call(client, .http, "agentStatus", Fixture.agent8001).extra == "1-idle,2-logout,")
            #expect(try await call(client, .http, "agentStatus", Fixture.agent("8002")).extra == "1-ring,")
        }
    }
}
