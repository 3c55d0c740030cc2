import CoccEngine
import CoccOperations
import CoccServer
import CoccSimulator
import CoccStorage
import CoccSwitch
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// qbackCall / QBackCall / qbackcallCJI (a vendor extra): backCall with a caller ID for each
/// leg and userdata in the events.
@Suite("vendor extras: qbackCall")
struct VendorExtrasQBackCallTests {
    static func callback(_ extra: [String: String] = [:]) -> [String: String] {
        [
            "orgidentity": "demo", "exten": "8003", "targetdn": "13800000001", "icallerid": "4001", "xcallerid": "4002",
            "user": "admin", "password": "admin123", "pwdtype": "plaintext", "userdata": "order=7&x=1",
        ].with(extra)
    }

    @Test(arguments: Interface.allCases)
    func eachLegShowsItsOwnCallerIDAndTheEventsCarryUserdata(_ interface: Interface) async throws {
        let f = try await Fixture()
        try await f.application().test(.router) { client async throws in
            #expect(try await call(client, interface, "qbackCall", Self.callback()) == Outcome(code: 1, message: "BackMsg_19"))
            await f.advance(0)
            await f.advance(1)  // exten answers; the target is dialled
            await f.advance(2)  // and answers
            try await f.pbx.farEndHangup(uniqueid: 19867)
        }
        let events = try await f.events()
        let agentLeg = try #require(
            events.first { $0.contains("&source=AGENT&event=ringing&") }.flatMap { field($0, "uniqueid") }.flatMap { Int64($0) })
        let targetLeg = try #require(
            events.first { $0.contains("&source=CALLEE&event=ringing&") }.flatMap { field($0, "uniqueid") }.flatMap { Int64($0) })
        // exten (rung first) sees icallerid, the target sees xcallerid.
        #expect(await f.pbx.callerID(uniqueid: agentLeg) == "4001")
        #expect(await f.pbx.callerID(uniqueid: targetLeg) == "4002")
        #expect(events.count == 7)
        #expect(events.allSatisfy { field($0, "userdata") == "order%3D7%26x%3D1" && field($0, "AgentGroupId") == "0" })
        #expect(events.allSatisfy { field($0, "calleridnum") == "13800000001" && field($0, "activenum") == "8003" })
    }

    @Test
    func emptyCallerIDsAreBackCallsDefaults() async throws {
        let f = try await Fixture()
        try await f.application().test(.router) { client async throws in
            #expect(try await call(client, .cji, "qbackCall", Self.callback(["icallerid": "", "xcallerid": "", "userdata": ""])).code == 1)
            await f.advance(0)
            await f.advance(1)
        }
        // As backCall: exten sees the target's number, the target the trunk's (none chosen here).
        #expect(await f.pbx.callerID(uniqueid: 19866) == "13800000001")
        #expect(await f.pbx.callerID(uniqueid: 19867) == "")
        await #expect(try f.events().allSatisfy { field($0, "userdata") == "" })
    }

    @Test(arguments: Interface.allCases)
    func numbersAreCheckedAsBackCallChecksThem(_ interface: Interface) async throws {
        let f = try await Fixture()
        try await f.application().test(.router) { client async throws in
            let cases: [([String: String], String)] = [
                (["targetdn": ""], "BackMsg_01"),
                (["exten": ""], "BackMsg_01"),
                (["exten": "80&03"], "BackMsg_28"),
                (["targetdn": "138 0000"], "BackMsg_28"),
                (["icallerid": "4001&activenum=1"], "BackMsg_28"),
                (["xcallerid": "4002;1"], "BackMsg_28"),
                (["password": "wrong"], "BackMsg_63"),
                // An agent is not an account: backCall bills the account named by user.
                (["user": "8001", "password": "123456"], "BackMsg_63"),
            ]
            for (extra, code) in cases {
                #expect(try await call(client, interface, "qbackCall", Self.callback(extra)) == Outcome(code: 2, message: code), "\(extra)")
            }
        }
        #expect(await f.pbx.liveLegs().isEmpty)
    }

    @Test
    func aTeamsCallbackStaysInThatTeam() async throws {
        let f = try await Fixture()
        try await f.application().test(.router) { client async throws in
            // Team other's account, its own extension 9001.
            let theirs = Self.callback(["orgidentity": "other", "user": "boss", "password": "bosspw", "exten": "9001"])
            #expect(try await call(client, .http, "qbackCall", theirs) == Outcome(code: 1, message: "BackMsg_19"))
            // demo's account cannot authenticate as other's.
            #expect(
                try await call(client, .http, "qbackCall", theirs.with(["user": "admin", "password": "admin123"]))
                    == Outcome(code: 2, message: "BackMsg_63"))
            await f.advance(0)
        }
        await #expect(try f.events(team: 1).isEmpty)
        await #expect(try f.events(team: 2).count == 1)
        await #expect(try f.events(team: 2).allSatisfy { field($0, "AgentTeamId") == "2" && field($0, "userdata") == "order%3D7%26x%3D1" })
    }
}
