import CoccCatalogue
import CoccEngine
import CoccOperations
import CoccSimulator
import CoccStorage
import CoccStore
import CoccSwitch
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

@testable import CoccServer

/// What a client tries in order to forge an event: extra keys, a new line for the long-poll, a
/// new SSE field or event, a NUL for C parsers.
let forgery = "x&activenum=9999&source=AGENT&event=hangup=\r\nid: 7\n\ndata: source=AGENT&event=hangup\u{0}%41"

/// A line's keys as the manual's sample page reads them: split on `&`, then on the first `=`.
func naiveKeys(_ line: String) -> [String] {
    line.split(separator: "&", omittingEmptySubsequences: true).map {
        String($0.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)[0])
    }
}

/// Every layout chapter 6 (and the agent notifications, and `resync`) can produce: its keys in order.
let manualLayouts: Set<[String]> = {
    var layouts: Set<[String]> = []
    let sources: [CallEventMessage.Source] = [.agent, .caller, .callee, .conversation, .consult]
    let events: [CallEventMessage.Event] = [.ringing, .answer, .hangup, .join, .incoming, .onhold, .resume]
    for source in sources {
        for event in events {
            for direction in [CallEventMessage.Direction.dialout, .dialin] {
                let message = CallEventMessage(
                    source: source, event: event, direction: direction, calleridnum: "1", didnumber: "2", activenum: "3", uniqueid: 4,
                    sessionid: "5", eventTime: Date(), teamID: 1, modeltype: "6", modelID: "7", groupID: 8, channel: "9", userdata: "10")
                layouts.insert(naiveKeys(message.render(eventid: 1)))
            }
        }
    }
    for event in [AgentNotification.Event.login, .paused] {
        for reason in [nil, "r"] as [String?] {
            layouts.insert(
                naiveKeys(
                    AgentNotification(
                        event: event, agentNumber: "1", extensionNumber: "2", teamID: 1, groupID: 1, time: Date(), reason: reason
                    )
                    .render(eventid: 1)))
        }
    }
    layouts.insert(naiveKeys(EventRetention.resyncMessage(eventid: 1)))
    return layouts
}()

@Suite("event forgery: every value is encoded by the writer of its format")
struct EventForgeryTests {
    /// Every string field of every layout holds the forgery: the keys stay the manual's, and
    /// reading the line back gives each value exactly.
    @Test(arguments: [CallEventMessage.Direction.dialout, .dialin], [CallEventMessage.Source.agent, .caller, .conversation, .consult])
    func callEventValuesCannotAddKeys(_ direction: CallEventMessage.Direction, _ source: CallEventMessage.Source) {
        for event in [CallEventMessage.Event.ringing, .incoming, .hangup] {
            let clean = CallEventMessage(
                source: source, event: event, direction: direction, calleridnum: "138", didnumber: "6001", activenum: "8001",
                uniqueid: 19866,
                sessionid: "s1", eventTime: Date(), teamID: 1, modeltype: "Campaign", modelID: "10", groupID: 1, channel: "SIP/8001-1",
                userdata: "a=1&b=2")
            var hostile = clean
            hostile.calleridnum = forgery
            hostile.didnumber = forgery
            hostile.activenum = forgery
            hostile.sessionid = forgery
            hostile.modeltype = forgery
            hostile.modelID = forgery
            hostile.channel = forgery
            hostile.userdata = forgery
            let line = hostile.render(eventid: 3)
            #expect(naiveKeys(line) == naiveKeys(clean.render(eventid: 3)), "\(line)")
            #expect(!line.contains("\r") && !line.contains("\n") && !line.contains("\u{0}"))
            for (key, value) in EventLine.parse(line)
            where !["source", "event", "uniqueid", "eventTime", "AgentTeamId", "AgentGroupId", "eventid", "from", "calltype"].contains(key)
            {
                if key == "didnumber" && value.isEmpty { continue }  // the inbound CONVERSATION layout leaves it empty
                #expect(value == forgery, "\(key)")
            }
        }
    }

    @Test
    func cleanValuesAreWrittenAsBefore() {
        // What deployed pages read without decoding must not change: channels, times, numbers.
        #expect(EventLine.escape("Local/0138888888888@hosted-dialin-1a2b;1") == "Local/0138888888888@hosted-dialin-1a2b;1")
        #expect(EventLine.escape("2026-12-01 10:00:00") == "2026-12-01 10:00:00")
        #expect(EventLine.escape("+86 138") == "+86 138")
        #expect(EventLine.escape("客户") == "客户")
        #expect(EventLine.escape("a&b=c%d\n") == "a%26b%3Dc%25d%0A")
        #expect(EventLine.decode("a%26b%3Dc%25d%0A%zz%4") == "a&b=c%d\n%zz%4")
    }

    @Test
    func agentNotificationReasonCannotAddKeys() {
        let n = AgentNotification(
            event: .paused, agentNumber: forgery, extensionNumber: forgery, teamID: 1, groupID: 1, time: Date(), reason: forgery)
        let line = n.render(eventid: 9)
        #expect(manualLayouts.contains(naiveKeys(line)), "\(line)")
        #expect(EventLine.parse(line).first { $0.0 == "reason" }?.1 == forgery)
    }

    /// A line stored by an older version with a raw line break still leaves as one SSE event
    /// and one long-poll line.
    @Test
    func framesNeverCarryARawLineBreak() {
        let stored = "source=AGENT&event=ringing&model_id=1\nid: 99\n\ndata: source=AGENT&event=hangup&"
        let frame = SSEFrame.event(id: 5, data: stored)
        #expect(frame.components(separatedBy: "\n") == ["id: 5", "data: " + EventLine.singleLine(stored), "", ""])
        #expect(!PushLineFormat.message.render(stored).contains("\n"))
        #expect(!PushLineFormat.json.render(stored).contains("\n"))
    }

    /// The backend's form parser sees each key once and each value as the client sent it.
    @Test
    func webhookBodyHasEachKeyOnceAndValuesAsSent() throws {
        let message = CallEventMessage(
            source: .agent, event: .ringing, direction: .dialout, calleridnum: forgery, didnumber: "", activenum: "8001", uniqueid: 1,
            sessionid: "s", eventTime: Date(), teamID: 1, modeltype: "Campaign", modelID: forgery, groupID: 1, channel: "SIP/1",
            userdata: "customer_id=109&pwd=asdfg"
        ).render(eventid: 4)
        let body = EventDeliveryService.formBody(message)
        let items = try #require(URLComponents(string: "http://x/?" + body)?.queryItems)
        #expect(items.map(\.name) == naiveKeys(message))
        #expect(Set(items.map(\.name)).count == items.count)
        #expect(items.first { $0.name == "userdata" }?.value == "customer_id=109&pwd=asdfg")
        #expect(items.first { $0.name == "model_id" }?.value == forgery)
    }

    /// makeCall, consult and backCall refuse numbers and ids that are not numbers and ids,
    /// with the manual's codes, before anything rings.
    @Test
    func numberAndIdParametersAreValidated() async throws {
        let f = try await Fixture()
        try await f.application().test(.router) { client async throws in
            _ = try await call(client, .http, "login", Fixture.agent8001)
            let base = Fixture.agent8001.with([
                "targetdn": "13800000001", "targettype": "exter", "agentgroupid": "1", "modeltype": "Campaign", "model_id": "10",
            ])
            for interface in [Interface.http, .soap, .cji] {
                #expect(
                    try await call(client, interface, "makeCall", base.with(["targetdn": "13800000004&activenum=9999"])).message
                        == "BackMsg_28")
                #expect(
                    try await call(client, interface, "makeCall", base.with(["targetdn": String(repeating: "1", count: 33)])).message
                        == "BackMsg_28")
                #expect(try await call(client, interface, "makeCall", base.with(["callerid": "1\r\n2"])).message == "BackMsg_28")
                #expect(try await call(client, interface, "makeCall", base.with(["agentexten": "8001&x=1"])).message == "BackMsg_28")
                #expect(try await call(client, interface, "makeCall", base.with(["model_id": "10\nid: 5"])).message == "BackMsg_70")
                #expect(
                    try await call(client, interface, "consult", Fixture.agent8001.with(["targetdn": "1&a=b", "consulttype": "external"]))
                        .message == "BackMsg_28")
            }
            #expect(
                try await call(client, .http, "backCall", Fixture.account.with(["exten": "8001", "targetdn": "138#&x"])).message
                    == "BackMsg_28")
            #expect(try await call(client, .http, "setdevice", Fixture.agent8001.with(["exten": "8001&x=1"])).message == "BackMsg_28")
            #expect(
                try await call(client, .http, "queueAction", Fixture.agent8001.with(["type": "1", "list": "2", "deviceexten": "80\n01"]))
                    .message == "BackMsg_28")
            #expect(
                try await call(
                    client, .http, "silentMonitor", Fixture.agent8001.with(["target": "8002", "phonenumber": "PJSIP/x&PJSIP/y"])
                ).message == "BackMsg_28")
            await #expect(try f.events().isEmpty)
            // A real number with a leading + and feature digits still dials.
            #expect(try await call(client, .http, "makeCall", base.with(["targetdn": "+8613800000001"])).message == "BackMsg_19")
        }
    }

    /// Every parameter of every operation, on every interface, holds the forgery while calls
    /// run, and a caller with a forged caller id rings in: every event in the team's log and in
    /// each agent's channel has exactly one of the manual's layouts.
    @Test
    func noOperationParameterCanForgeAnEvent() async throws {
        let f = try await Fixture()
        try await f.application().test(.router) { client async throws in
            for agent in ["8001", "8002", "8003"] { _ = try await call(client, .http, "login", Fixture.agent(agent)) }
            // A caller id is as untrusted as a parameter: it comes from the network.
            await f.pbx.placeInbound(from: "0138&activenum=1\r\nid: 3", to: "6001", tenant: "demo")
            await f.advance(1)
            await f.advance(10)
            try await f.pbx.farEndHangup(uniqueid: 1555)
            // Free text that reaches events by design: userdata, and a pause reason (pushevent).
            let dial = Fixture.agent("8002").with([
                "targetdn": "13800000001", "targettype": "exter", "agentgroupid": "1", "userdata": forgery,
            ])
            #expect(try await call(client, .http, "makeCall", dial).message == "BackMsg_19")
            for _ in 0..<4 { await f.advance(1) }
            _ = try await call(
                client, .cji, "queuePause", Fixture.agent("8003").with(["type": "1", "pause_reason": forgery, "pushevent": "yes"]))
            let base = Fixture.agent8001.with([
                "targetdn": "13800000001", "targettype": "exter", "agentgroupid": "1", "modeltype": "Campaign", "model_id": "10",
                "userdata": forgery, "type": "1", "agent_group_id": "1", "pause_reason": forgery, "target": "agent", "targetagent": "8002",
                "consulttype": "internal", "status": "all", "dtmf": "1", "silence": "0", "transfer": "1", "ivrexten": "7000",
                "ivrflow": "1",
                "exten": "8001", "callerid": "138", "variable": forgery, "value": forgery, "pushevent": "yes",
            ])
            for operation in Catalogue.standard.operations where !operation.descriptor.httpEvents.isEmpty {
                let names = Set(operation.descriptor.httpParameters + operation.descriptor.cjiParameters)
                for name in names where !["orgidentity", "user", "password", "pwdtype", "usertype", "callbackFuc"].contains(name) {
                    for interface in [Interface.http, .soap, .cji]
                    where interface == .http || (interface == .soap ? operation.descriptor.soapName : operation.descriptor.cjiName) != nil {
                        // XML cannot carry a NUL (a SOAP body with one gets a fault), so SOAP sends the rest.
                        let parameters = base.with([name: forgery])
                        _ = try? await call(
                            client, interface, operation.descriptor.name,
                            interface == .soap ? parameters.mapValues { $0.replacingOccurrences(of: "\u{0}", with: "") } : parameters)
                    }
                }
                _ = try await call(client, .http, operation.descriptor.name, base)
                await f.advance(1)
            }
        }
        let logged = try await f.store.events(teamID: 1, after: 0, limit: 10_000)
        #expect(logged.count > 10, "the sweep should have produced call events")
        #expect(
            logged.contains { $0.message.contains("calleridnum=0138%26activenum%3D1%0D%0Aid: 3") },
            "the forged caller id reached an event, encoded")
        #expect(logged.contains { $0.message.contains("userdata=x%26activenum") }, "the forgery reached an event, encoded")
        for event in logged {
            #expect(manualLayouts.contains(naiveKeys(event.message)), "\(event.message)")
            #expect(!event.message.contains("\n") && !event.message.contains("\r") && !event.message.contains("\u{0}"))
        }
        for number in ["8001", "8002", "8003"] {
            let agent = try #require(f.center.directory.agent(team: 1, number: number))
            for event in try await f.center.events(team: 1, after: 0, agent: agent.id, limit: 10_000) {
                #expect(manualLayouts.contains(naiveKeys(event.message)), "\(number): \(event.message)")
            }
        }
    }
}
