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

@Suite("supervisors: intrude, silentMonitor, whisper, forcedRelease")
struct SupervisorTests {
    /// 8002 (in group 1, which 8001 leads) talking with 13800000001: legs 19866 (8002), 19867.
    func agentOnACall(_ f: Fixture, _ client: some TestClientProtocol, _ interface: Interface) async throws {
        _ = try await call(client, interface, "login", Fixture.agent("8002"))
        _ = try await call(client, interface, "makeCall", OutboundCallTests.dial.with(Fixture.agent("8002")))
        await f.advance(3)
    }

    @Test(arguments: [
        ("silentMonitor", SpyMode.listen, "BackMsg_41"), ("whisper", .whisper, "BackMsg_48"), ("intrude", .barge, "BackMsg_39"),
    ])
    func eachModeAttachesAndEndsWithGroupadminHangup(_ operation: String, _ mode: SpyMode, _ message: String) async throws {
        let f = try await Fixture()
        try await f.application().test(.router) { client async throws in
            try await agentOnACall(f, client, .http)
            // 8001 supervises from extension 8009 (it answers after 1 s).
            #expect(
                try await call(client, .http, operation, Fixture.agent8001.with(["target": "8002", "phonenumber": "8009"]))
                    == Outcome(code: 1, message: message))
            await f.advance(1)
            let spying = try #require(await f.pbx.spying(uniqueid: 19868))
            #expect(spying.target == 19866 && spying.mode == mode)
            #expect(
                try await call(client, .http, "hangup", Fixture.agent8001.with(["target": "groupadmin", "targetagent": "8002"]))
                    == Outcome(code: 1, message: "BackMsg_37"))
            #expect(await f.pbx.liveLegs().map(\.uniqueid) == [19866, 19867])
            #expect(
                try await call(client, .http, "hangup", Fixture.agent8001.with(["target": "groupadmin", "targetagent": "8002"]))
                    == Outcome(code: 2, message: "BackMsg_92"))
        }
        let supervisorEvents = try await f.events().filter { field($0, "uniqueid") == "19868" }.map {
            "\(field($0, "source")!) \(field($0, "event")!)"
        }
        #expect(supervisorEvents == ["CONSULT join", "CONSULT hangup"])
    }

    @Test(arguments: Interface.allCases)
    func forcedReleaseAndPermissions(_ interface: Interface) async throws {
        let f = try await Fixture()
        try await f.application().test(.router) { client async throws in
            let watch = ["target": "8002", "phonenumber": "13800000001"]
            #expect(
                try await call(client, interface, "forcedRelease", Fixture.agent8001.with(watch)) == Outcome(code: 2, message: "BackMsg_45")
            )
            #expect(
                try await call(client, interface, "silentMonitor", Fixture.agent8001.with(watch)) == Outcome(code: 2, message: "BackMsg_42")
            )
            try await agentOnACall(f, client, interface)
            // 8003 leads no group of 8002's; nobody supervises itself; unknown targets are refused.
            #expect(
                try await call(client, interface, "intrude", Fixture.agent("8003").with(watch)) == Outcome(code: 2, message: "BackMsg_65"))
            #expect(
                try await call(client, interface, "intrude", Fixture.agent("8002").with(watch)) == Outcome(code: 2, message: "BackMsg_65"))
            #expect(
                try await call(client, interface, "intrude", Fixture.agent8001.with(["target": "4242", "phonenumber": "1"]))
                    == Outcome(code: 2, message: "BackMsg_55"))
            #expect(
                try await call(client, interface, "intrude", Fixture.agent8001.with(["target": "8002", "phonenumber": ""]))
                    == Outcome(code: 2, message: "BackMsg_01"))
            // The account may; a supervisor on an external phone; then everything is torn down.
            #expect(try await call(client, interface, "whisper", Fixture.account.with(watch)) == Outcome(code: 1, message: "BackMsg_48"))
            await f.advance(2)
            #expect(
                try await call(client, interface, "forcedRelease", Fixture.account.with(["target": "8002", "phonenumber": ""]))
                    == Outcome(code: 1, message: "BackMsg_46"))
            #expect(await f.pbx.liveLegs().isEmpty)
            #expect(try await call(client, interface, "agentStatus", Fixture.agent("8002")).extra == "1-idle,")
        }
        await #expect(try f.events().last.flatMap { field($0, "source") } == "CONVERSATION")
    }

    @Test
    func soapPositionalArgumentsFollowEachPrototype() async throws {
        let f = try await Fixture()
        try await f.application().test(.router) { client async throws in
            try await agentOnACall(f, client, .soap)
            // whisper(target, phonenumber, usertype, user, pwdtype, password, orgidentity)
            let whisper = Envelope.soap11(
                """
                <ns1:whisper xmlns:ns1="urn:coccwi"><param0>8002</param0><param1>8009</param1><param2>agent</param2><param3>8001</param3>\
                <param4>plaintext</param4><param5>123456</param5><param6>demo</param6></ns1:whisper>
                """)
            #expect(try soapReturn(try await postSOAP(client, whisper).body) == "|Retuen|1|Retuen|BackMsg_48")
            // intrude(target, phonenumber, pwdtype, password, usertype, user, orgidentity)
            let intrude = Envelope.soap11(
                """
                <ns1:intrude xmlns:ns1="urn:coccwi"><param0>8002</param0><param1>8010</param1><param2>plaintext</param2><param3>123456</param3>\
                <param4>agent</param4><param5>8001</param5><param6>demo</param6></ns1:intrude>
                """)
            #expect(try soapReturn(try await postSOAP(client, intrude).body) == "|Retuen|1|Retuen|BackMsg_39")
        }
    }
}
