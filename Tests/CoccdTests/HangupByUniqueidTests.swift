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

/// Manual 3.13: with a non-empty `uniqueid` every target answers the per-uniqueid list; without
/// one, `targetagent` is required.
@Suite("hangup: per uniqueid for every target; targetagent required without uniqueid")
struct HangupByUniqueidTests {
    @Test(arguments: Interface.allCases)
    func consultByUniqueid(_ interface: Interface) async throws {
        let f = try await Fixture()
        try await f.application().test(.router) { client async throws in
            try await consulting8002(f, client, interface)
            // Only the consulted party's leg is a `consult`: the customer's is refused, unknown ids too.
            let h = Fixture.agent8001.with(["target": "consult"])
            #expect(
                try await call(client, interface, "hangup", h.with(["uniqueid": "19867,19868,4781"]))
                    == Outcome(code: 1, message: "19867:failed,19868:success,4781:failed"))
            #expect(await f.pbx.liveLegs().map(\.uniqueid) == [19866, 19867])
            #expect(try await call(client, interface, "hangup", h.with(["uniqueid": "19868"])) == Outcome(code: 2, message: "19868:failed"))
        }
    }

    @Test(arguments: Interface.allCases)
    func agentCallerAndAllByUniqueid(_ interface: Interface) async throws {
        let f = try await Fixture()
        try await f.application().test(.router) { client async throws in
            try await consulting8002(f, client, interface)
            let h = Fixture.agent8001.with(["targetagent": "8001"])
            // `caller` takes only the customer; `agent` only agents' legs (8001's and 8002's).
            #expect(
                try await call(client, interface, "hangup", h.with(["target": "caller", "uniqueid": "19866"]))
                    == Outcome(code: 2, message: "19866:failed"))
            #expect(
                try await call(client, interface, "hangup", h.with(["target": "agent", "uniqueid": "19867"]))
                    == Outcome(code: 2, message: "19867:failed"))
            #expect(
                try await call(client, interface, "hangup", h.with(["target": "all", "uniqueid": "19868, 19867"]))
                    == Outcome(code: 1, message: "19868:success,19867:success"))
            #expect(await f.pbx.liveLegs().isEmpty)
        }
        await #expect(try f.events().last.flatMap { field($0, "source") } == "CONVERSATION")
    }

    /// Isolation: an agent reaches its own calls' legs only, another team's never.
    @Test
    func uniqueidsOfOtherCallsAreRefused() async throws {
        let f = try await Fixture()
        try await f.application().test(.router) { client async throws in
            try await consulting8002(f, client, .http)
            _ = try await call(client, .http, "login", Fixture.agent("8003"))
            #expect(
                try await call(client, .http, "hangup", Fixture.agent("8003").with(["target": "all", "uniqueid": "19866,19867"]))
                    == Outcome(code: 2, message: "19866:failed,19867:failed"))
            let other = ["orgidentity": "other", "usertype": "account", "user": "boss", "pwdtype": "plaintext", "password": "bosspw"]
            #expect(
                try await call(client, .http, "hangup", other.with(["target": "all", "uniqueid": "19866"]))
                    == Outcome(code: 2, message: "19866:failed"))
            // The team's account needs no targetagent with uniqueids.
            #expect(
                try await call(client, .http, "hangup", Fixture.account.with(["target": "caller", "uniqueid": "19867"]))
                    == Outcome(code: 1, message: "19867:success"))
            #expect(await f.pbx.liveLegs().isEmpty)
        }
    }

    @Test(arguments: Interface.allCases)
    func targetagentIsRequiredWithoutUniqueid(_ interface: Interface) async throws {
        let f = try await Fixture()
        try await f.application().test(.router) { client async throws in
            try await consulting8002(f, client, interface)
            for target in HangupTarget.allCases {
                #expect(
                    try await call(client, interface, "hangup", Fixture.agent8001.with(["target": target.rawValue]))
                        == Outcome(code: 2, message: "BackMsg_01"), "target=\(target.rawValue)")
            }
            #expect(await f.pbx.liveLegs().count == 3)
            #expect(
                try await call(client, interface, "hangup", Fixture.agent8001.with(["target": "consult", "targetagent": "8001"]))
                    == Outcome(code: 1, message: "BackMsg_37"))
        }
    }

    /// A consulted agent whose phone rings reaches only its own leg; the monitored agent can
    /// neither end nor detect a silent monitor.
    @Test
    func agentsOnACallReachOnlyWhatTheyMay() async throws {
        let f = try await Fixture()
        try await f.application().test(.router) { client async throws in
            try await consulting8002(f, client, .http, answered: false)  // 8002 rings on 19868
            let as8002 = Fixture.agent("8002").with(["target": "all"])
            #expect(
                try await call(client, .http, "hangup", as8002.with(["uniqueid": "19866,19867"]))
                    == Outcome(code: 2, message: "19866:failed,19867:failed"))
            #expect(
                try await call(client, .http, "hangup", as8002.with(["uniqueid": "19868"])) == Outcome(code: 1, message: "19868:success"))
            _ = try await call(client, .http, "callReturn", Fixture.agent8001)
            // The team's account listens to 8001 from extension 8009 (leg 19869).
            #expect(
                try await call(client, .http, "silentMonitor", Fixture.account.with(["target": "8001", "phonenumber": "8009"])).code == 1)
            await f.advance(1)
            #expect(await f.pbx.spying(uniqueid: 19869) != nil)
            let self8001 = Fixture.agent8001.with(["target": "groupadmin", "targetagent": "8001"])
            #expect(try await call(client, .http, "hangup", self8001) == Outcome(code: 2, message: "BackMsg_65"))
            #expect(
                try await call(client, .http, "hangup", self8001.with(["uniqueid": "19869"])) == Outcome(code: 2, message: "19869:failed"))
            #expect(await f.pbx.liveLegs().map(\.uniqueid).contains(19869))
            // The account ends it.
            #expect(
                try await call(client, .http, "hangup", Fixture.account.with(["target": "groupadmin", "targetagent": "8001"]))
                    == Outcome(code: 1, message: "BackMsg_37"))
        }
    }
}
