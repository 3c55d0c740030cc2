import CoccEngine
import CoccOperations
import CoccProvisioning
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

/// The expected message for the manual's outbound layout (A.5.2), with eventid and userdata after.
func outbound(
    _ source: String, _ event: String, uniqueid: Int64, sessionid: String, time: Date, channel: String,
    eventid: Int, customer: String = "13800000001", agentExten: String = "8001", group: Int = 1,
    modeltype: String = "Campaign", modelID: String = "10", userdata: String = "customer_id%3D109%26pwd%3Dasdfg"
) -> String {
    "calleridnum=\(customer)&didnumber=&activenum=\(agentExten)&source=\(source)&event=\(event)&uniqueid=\(uniqueid)&sessionid=\(sessionid)"
        + "&eventTime=\(eventTime(time))&AgentTeamId=1&modeltype=\(modeltype)&model_id=\(modelID)&AgentGroupId=\(group)&calltype=dialout"
        + "&channel=\(channel)&from=dialout&eventid=\(eventid)&userdata=\(userdata)&"
}

func eventTime(_ date: Date) -> String {
    let c = Calendar.current.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
    return String(format: "%04d-%02d-%02d %02d:%02d:%02d", c.year!, c.month!, c.day!, c.hour!, c.minute!, c.second!)
}

/// A field of a `key=value&` message.
func field(_ message: String, _ key: String) -> String? {
    for pair in message.split(separator: "&") where pair.hasPrefix("\(key)=") { return String(pair.dropFirst(key.count + 1)) }
    return nil
}

@Suite("outbound calls: makeCall and the manual's event sequence")
struct OutboundCallTests {
    static let dial = Fixture.agent8001.with([
        "targetdn": "13800000001", "targettype": "exter", "agentgroupid": "1", "modeltype": "Campaign", "model_id": "10",
        "userdata": "customer_id=109&pwd=asdfg",
    ])

    @Test(arguments: Interface.allCases)
    func outboundSequenceMatchesTheManual(_ interface: Interface) async throws {
        let f = try await Fixture()
        let t0 = f.clock()
        try await f.application().test(.router) { client async throws in
            _ = try await call(client, interface, "login", Fixture.agent8001)
            #expect(try await call(client, interface, "makeCall", Self.dial) == Outcome(code: 1, message: "BackMsg_19"))
            await f.advance(0)  // the agent's phone rings
            #expect(try await call(client, interface, "agentStatus", Fixture.agent8001).extra == "1-ring,2-logout,")
            await f.advance(1)  // it answers; the customer is dialled and rings
            await f.advance(2)  // the customer answers
            #expect(try await call(client, interface, "agentStatus", Fixture.agent8001).extra == "1-busy,2-logout,")
            #expect(await f.pbx.bridgedWith(uniqueid: 19866) == 19867)
            await f.advance(38)
            try await f.pbx.farEndHangup(uniqueid: 19867)  // the customer hangs up
            #expect(try await call(client, interface, "agentStatus", Fixture.agent8001).extra == "1-idle,2-logout,")
        }
        let events = try await f.events()
        try #require(events.count == 7)
        let sid = try #require(field(events[0], "sessionid"))
        #expect(sid.count == 32 && sid.allSatisfy(\.isHexDigit))
        let agentChannel = try #require(field(events[0], "channel"))
        let customerChannel = try #require(field(events[2], "channel"))
        #expect(agentChannel.hasPrefix("Local/8001@hosted-dialout-") && agentChannel.hasSuffix(";1"))
        #expect(customerChannel.hasPrefix("Local/13800000001@hosted-dialout-") && customerChannel.hasSuffix(";1"))
        let t1 = t0 + 1
        let t3 = t0 + 3
        let t41 = t0 + 41
        #expect(
            events == [
                outbound("AGENT", "ringing", uniqueid: 19866, sessionid: sid, time: t0, channel: agentChannel, eventid: 1),
                outbound("AGENT", "answer", uniqueid: 19866, sessionid: sid, time: t1, channel: " ", eventid: 2),
                outbound("CALLEE", "ringing", uniqueid: 19867, sessionid: sid, time: t1, channel: customerChannel, eventid: 3),
                outbound("CALLEE", "answer", uniqueid: 19867, sessionid: sid, time: t3, channel: "", eventid: 4),
                outbound("CALLEE", "hangup", uniqueid: 19867, sessionid: sid, time: t41, channel: customerChannel, eventid: 5),
                outbound("AGENT", "hangup", uniqueid: 19866, sessionid: sid, time: t41, channel: agentChannel, eventid: 6),
                outbound("CONVERSATION", "hangup", uniqueid: 0, sessionid: sid, time: t41, channel: "", eventid: 7),
            ])
        // The manual's own parser (split on & then =) gets userdata back whole once decoded.
        #expect(field(events[0], "userdata")?.removingPercentEncoding == "customer_id=109&pwd=asdfg")
        let record = try await #require(try f.store.callRecord(sessionid: sid))
        #expect(record.disposition == "answered" && record.agentNumber == "8001" && record.customerNumber == "13800000001")
        #expect(record.answeredAt == t3 && record.endedAt == t41 && record.userdata == "customer_id=109&pwd=asdfg")
        #expect(record.modeltype == "Campaign" && record.modelID == "10" && record.groupID == 1 && record.direction == "dialout")
        #expect(await f.pbx.liveLegs().isEmpty)
    }

    @Test(arguments: Interface.allCases)
    func makeCallRefusals(_ interface: Interface) async throws {
        let f = try await Fixture()
        try await f.application().test(.router) { client async throws in
            func dial(_ extra: [String: String], as who: [String: String] = Fixture.agent8001) async throws -> Outcome {
                try await call(
                    client, interface, "makeCall", who.with(Self.dial.filter { !Fixture.agent8001.keys.contains($0.key) }).with(extra))
            }
            #expect(try await dial([:]) == Outcome(code: 2, message: "BackMsg_16"))
            _ = try await call(client, interface, "login", Fixture.agent8001)
            #expect(try await dial(["targettype": "sideways"]) == Outcome(code: 2, message: "BackMsg_28"))
            #expect(try await dial(["targetdn": ""]) == Outcome(code: 2, message: "BackMsg_01"))
            #expect(try await dial(["modeltype": "Lottery"]) == Outcome(code: 2, message: "BackMsg_70"))
            #expect(try await dial(["agentgroupid": "99"]) == Outcome(code: 2, message: "BackMsg_11[99]"))
            #expect(try await dial(["agentgroupid": "2"]) == Outcome(code: 2, message: "BackMsg_16"))
            #expect(try await dial(["agentexten": "4242"]) == Outcome(code: 2, message: "BackMsg_110"))
            #expect(try await dial(["targettype": "inner", "targetdn": "9999"]) == Outcome(code: 2, message: "BackMsg_55"))
            #expect(try await dial(["targettype": "inner", "targetdn": "8002"]) == Outcome(code: 2, message: "BackMsg_20"))
            #expect(try await dial([:], as: Fixture.account) == Outcome(code: 2, message: "BackMsg_24"))
            try await f.admin.setAgent(team: "demo", number: "8001", outboundRestricted: true)
            try await f.center.reloadDirectoryIfChanged(logger: Fixture.quiet)
            #expect(try await dial([:]) == Outcome(code: 2, message: "BackMsg_18"))
            try await f.admin.setAgent(team: "demo", number: "8001", outboundRestricted: false)
            try await f.center.reloadDirectoryIfChanged(logger: Fixture.quiet)
            #expect(try await dial([:]) == Outcome(code: 1, message: "BackMsg_19"))
            #expect(try await dial([:]) == Outcome(code: 2, message: "BackMsg_22"))  // a repeated click
            await f.advance(1)
            #expect(try await dial([:]) == Outcome(code: 2, message: "BackMsg_17[busy]"))
        }
    }

    @Test
    func busyNoAnswerAndAfterCallWork() async throws {
        let f = try await Fixture()
        try await f.application().test(.router) { client async throws in
            _ = try await call(client, .http, "login", Fixture.agent8001)
            _ = try await call(client, .http, "acwAction", Fixture.agent8001.with(["type": "1", "agent_group_id": "1"]))
            // Busy: the customer rang, so ring-ACW (mode 1) applies.
            _ = try await call(client, .http, "makeCall", Self.dial.with(["targetdn": "13800000002"]))
            await f.advance(1)
            await f.advance(1)
            await #expect(
                try f.events().map { "\(field($0, "source")!) \(field($0, "event")!)" } == [
                    "AGENT ringing", "AGENT answer", "CALLEE ringing", "CALLEE hangup", "AGENT hangup", "CONVERSATION hangup",
                ])
            #expect(try await call(client, .http, "agentStatus", Fixture.agent8001).extra == "1-acw,2-logout,")
            let sid = try await #require(field(try f.events()[0], "sessionid"))
            await #expect(try f.store.callRecord(sessionid: sid)?.disposition == "busy")
            #expect(try await call(client, .http, "makeCall", Self.dial) == Outcome(code: 2, message: "BackMsg_17[acw]"))
            _ = try await call(client, .http, "acwOff", Fixture.agent8001)
            // No answer: the customer rings until the 45 s timeout; answer-ACW (mode 2) does not apply.
            _ = try await call(client, .http, "acwAction", Fixture.agent8001.with(["type": "2", "agent_group_id": "1"]))
            _ = try await call(client, .http, "makeCall", Self.dial.with(["targetdn": "13800000003"]))
            await f.advance(1)
            await f.advance(44)
            #expect(try await call(client, .http, "agentStatus", Fixture.agent8001).extra == "1-busy,2-logout,")
            await f.advance(1)
            #expect(try await call(client, .http, "agentStatus", Fixture.agent8001).extra == "1-idle,2-logout,")
            let second = try await #require(field(try f.events()[6], "sessionid"))
            await #expect(try f.store.callRecord(sessionid: second)?.disposition == "noanswer")
            await #expect(try f.events().count == 12)
        }
    }

    @Test
    func innerCallRingsTheOtherAgent() async throws {
        let f = try await Fixture()
        try await f.application().test(.router) { client async throws in
            _ = try await call(client, .cji, "login", Fixture.agent8001)
            _ = try await call(client, .cji, "login", Fixture.agent("8002"))
            #expect(
                try await call(client, .cji, "makeCall", Self.dial.with(["targettype": "inner", "targetdn": "8002"]))
                    == Outcome(code: 1, message: "BackMsg_19"))
            await f.advance(1)
            #expect(
                try await call(client, .cji, "agentgroupStatus", Fixture.agent8001.with(["agent_group_id": "1", "status": "all"])).message
                    == "8001:busy,8002:ring,8003:logout")
            await f.advance(1)
            #expect(
                try await call(client, .cji, "agentgroupStatus", Fixture.agent8001.with(["agent_group_id": "1", "status": "busy"])).message
                    == "8001:busy,8002:busy")
            #expect(try await soapCall(client, "groupStatusNum", ["orgidentity": "demo", "queuenumber": "6001"]) == "1|2|0|0|0|2|0")
            // The called agent hangs up its own call.
            #expect(
                try await call(client, .cji, "hangup", Fixture.agent("8002").with(["target": "agent", "targetagent": "8002"]))
                    == Outcome(code: 1, message: "BackMsg_37"))
            #expect(try await call(client, .cji, "teamStatus", Fixture.account.with(["status": "idle"])).message == "8001:idle,8002:idle")
        }
        let ringing = try await f.events()[2]
        #expect(field(ringing, "source") == "CALLEE" && field(ringing, "calleridnum") == "8002")
        #expect(field(ringing, "channel")?.hasPrefix("Local/8002@hosted-dialout-") == true)
    }
}

@Suite("backCall: the two-leg callback")
struct BackCallTests {
    static let request = [
        "orgidentity": "demo", "exten": "8003", "targetdn": "13800000001", "callerid": "4008001234",
        "user": "admin", "password": "admin123", "pwdtype": "plaintext",
    ]

    @Test(arguments: Interface.allCases)
    func ringsExtenThenTarget(_ interface: Interface) async throws {
        let f = try await Fixture()
        try await f.application().test(.router) { client async throws in
            // No agent session needed: 8003 is not logged in.
            #expect(try await call(client, interface, "backCall", Self.request) == Outcome(code: 1, message: "BackMsg_19"))
            await f.advance(1)
            await f.advance(2)
            #expect(await f.pbx.bridgedWith(uniqueid: 19866) == 19867)
            #expect(await f.pbx.liveLegs().map(\.number) == ["8003", "13800000001"])
            try await f.pbx.farEndHangup(uniqueid: 19867)
            #expect(
                try await call(client, interface, "backCall", Self.request.with(["password": "x"]))
                    == Outcome(code: 2, message: "BackMsg_63"))
            #expect(
                try await call(client, interface, "backCall", Self.request.with(["targetdn": ""]))
                    == Outcome(code: 2, message: "BackMsg_01"))
            #expect(
                try await call(client, interface, "backCall", Self.request.with(["orgidentity": "other"]))
                    == Outcome(code: 2, message: "BackMsg_63"))
        }
        let events = try await f.events()
        #expect(
            events.map { "\(field($0, "source")!) \(field($0, "event")!)" } == [
                "AGENT ringing", "AGENT answer", "CALLEE ringing", "CALLEE answer", "CALLEE hangup", "AGENT hangup", "CONVERSATION hangup",
            ])
        #expect(
            events.allSatisfy {
                field($0, "activenum") == "8003" && field($0, "calleridnum") == "13800000001" && field($0, "AgentGroupId") == "0"
            })
        #expect(field(events[0], "channel")?.hasPrefix("Local/8003@hosted-dialout-") == true)
    }

    @Test
    func anExternalInitiatorAndTheOldEventNames() async throws {
        let f = try await Fixture()
        try await f.application().test(.router) { client async throws in
            for event in ["DeviceCallBackCall", "BackCall", "devicecall"] {
                let body = formEncode(Self.request.with(["EVENT": event, "exten": "13800000002"]))
                try await client.execute(uri: "/coccinterfaces?\(body)", method: .get) { r in
                    #expect(String(buffer: r.body) == "|Retuen|1|Retuen|BackMsg_19", "\(event)")
                }
            }
            await f.advance(2)  // the busy initiator ends each call before the target is dialled
            #expect(await f.pbx.liveLegs().isEmpty)
        }
        await #expect(try f.events().filter { field($0, "source") == "CALLEE" }.isEmpty)
    }
}
