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

/// monitorCtrl / MonitorCtrl / monitorCtrlCJI (a vendor extra): separate recording segments of
/// the agent's call, each its own file, found by getMonitor's `filename`.
@Suite("vendor extras: monitorCtrl recording segments")
struct VendorExtrasRecordingSegmentTests {
    static func monitor(_ action: String, _ agent: [String: String] = Fixture.agent8001) -> [String: String] {
        agent.with(["action": action, "pushevent": "no"])
    }

    @Test(arguments: Interface.allCases)
    func eachSegmentIsAFileGetMonitorFinds(_ interface: Interface) async throws {
        let f = try await Fixture()
        try await f.application().test(.router) { client async throws in
            _ = try await call(client, interface, "login", Fixture.agent8001)
            _ = try await call(client, interface, "makeCall", OutboundCallTests.dial)
            await f.advance(0)
            await f.advance(1)  // the agent answered; the customer rings: nobody to talk with yet
            #expect(try await call(client, interface, "monitorCtrl", Self.monitor("start")) == Outcome(code: 2, message: "BackMsg_92"))
            await f.advance(2)  // the customer answered
            let sid = try await #require(field(try f.events()[0], "sessionid"))
            let day = String(eventTime(f.clock()).prefix(10))
            let folder = "1/" + day.replacingOccurrences(of: "-", with: "")
            #expect(try await call(client, interface, "monitorCtrl", Self.monitor("start")) == Outcome(code: 1, message: "\(sid)-1.wav"))
            // A second start while it runs answers the same segment.
            #expect(try await call(client, interface, "monitorCtrl", Self.monitor("START")) == Outcome(code: 1, message: "\(sid)-1.wav"))
            #expect(await f.pbx.recordingPaths(uniqueid: 19866).count == 2)  // the whole call and the segment
            await f.advance(10)
            #expect(try await call(client, interface, "monitorCtrl", Self.monitor("stop")) == Outcome(code: 1, message: "\(sid)-1.wav"))
            #expect(try await call(client, interface, "monitorCtrl", Self.monitor("stop")) == Outcome(code: 2, message: "BackMsg_44"))
            #expect(await f.pbx.recordingPaths(uniqueid: 19866) == [f.directory.path + "/recordings/\(folder)/\(sid).wav"])
            // Found while the call goes on.
            let first = try await call(client, interface, "getMonitor", ["sessionid": sid, "calldate": day, "filename": "\(sid)-1.wav"])
            #expect(first.code == 1 && first.message.hasPrefix("http://localhost/getMonitor/\(folder)/\(sid)-1.wav?expires="))
            // A second segment, completed by the hangup.
            #expect(try await call(client, interface, "monitorCtrl", Self.monitor("start")) == Outcome(code: 1, message: "\(sid)-2.wav"))
            await f.advance(5)
            try await f.pbx.farEndHangup(uniqueid: 19867)
            #expect(try await call(client, interface, "monitorCtrl", Self.monitor("stop")) == Outcome(code: 2, message: "BackMsg_92"))

            let recordings = f.directory.appendingPathComponent("recordings/\(folder)")
            #expect(try Data(contentsOf: recordings.appendingPathComponent("\(sid)-1.wav")).count == 44 + 10 * 8000 * 2)
            #expect(try Data(contentsOf: recordings.appendingPathComponent("\(sid)-2.wav")).count == 44 + 5 * 8000 * 2)
            #expect(try Data(contentsOf: recordings.appendingPathComponent("\(sid).wav")).count == 44 + 15 * 8000 * 2)
            let second = try await call(client, interface, "getMonitor", ["sessionid": sid, "calldate": day, "filename": "\(sid)-2.wav"])
            #expect(second.code == 1 && second.message.hasPrefix("http://localhost/getMonitor/\(folder)/\(sid)-2.wav?expires="))
            try await client.execute(uri: String(second.message.dropFirst("http://localhost".count)), method: .get) { r in
                #expect(r.status == .ok && r.body.readableBytes == 44 + 5 * 8000 * 2)
            }
            // Without filename: the whole call, as before.
            let whole = try await call(client, interface, "getMonitor", ["sessionid": sid, "calldate": day])
            #expect(whole.message.hasPrefix("http://localhost/getMonitor/\(folder)/\(sid).wav?expires="))
            // Only this call's files can be named.
            for name in ["../../coccd.sqlite", "\(String(repeating: "0", count: 32))-1.wav", "\(sid)-x.wav", "\(sid)-1.mp3"] {
                #expect(
                    try await call(client, interface, "getMonitor", ["sessionid": sid, "calldate": day, "filename": name])
                        == Outcome(code: 2, message: "BackMsg_28"), "\(name)")
            }
            #expect(
                try await call(client, interface, "getMonitor", ["sessionid": sid, "calldate": day, "filename": "\(sid)-3.wav"])
                    == Outcome(code: 2, message: "BackMsg_404"))
            #expect(
                try await call(client, interface, "getMonitor", ["sessionid": sid, "calldate": "2001-01-01", "filename": "\(sid)-1.wav"])
                    == Outcome(code: 2, message: "BackMsg_44"))
        }
    }

    @Test(arguments: Interface.allCases)
    func refusalsHaveClearCodes(_ interface: Interface) async throws {
        let f = try await Fixture()
        try await f.application().test(.router) { client async throws in
            _ = try await call(client, interface, "login", Fixture.agent8001)
            #expect(try await call(client, interface, "monitorCtrl", Self.monitor("start")) == Outcome(code: 2, message: "BackMsg_92"))
            #expect(try await call(client, interface, "monitorCtrl", Self.monitor("stop")) == Outcome(code: 2, message: "BackMsg_92"))
            #expect(try await call(client, interface, "monitorCtrl", Self.monitor("pause")) == Outcome(code: 2, message: "BackMsg_28"))
            #expect(try await call(client, interface, "monitorCtrl", Self.monitor("")) == Outcome(code: 2, message: "BackMsg_01"))
            #expect(
                try await call(client, interface, "monitorCtrl", Self.monitor("start", Fixture.account))
                    == Outcome(code: 2, message: "BackMsg_12"))
        }
    }

    @Test
    func anotherTeamsAgentReachesNothingAndPusheventTellsTheAgent() async throws {
        let f = try await Fixture()
        let theirs = ["orgidentity": "other", "usertype": "agent", "user": "8001", "pwdtype": "plaintext", "password": "otherpw"]
        try await f.application().test(.router) { client async throws in
            _ = try await call(client, .http, "login", Fixture.agent8001)
            _ = try await call(client, .http, "makeCall", OutboundCallTests.dial)
            for step in [0.0, 1, 2] { await f.advance(step) }
            // Team other's agent 8001 has no call: demo's 8001 call is not its own.
            #expect(try await call(client, .cji, "monitorCtrl", Self.monitor("start", theirs)) == Outcome(code: 2, message: "BackMsg_92"))
            #expect(await f.pbx.recordingPaths(uniqueid: 19866).count == 1)
            #expect(try await call(client, .cji, "monitorCtrl", Self.monitor("start").with(["pushevent": "yes"])).code == 1)
            #expect(try await call(client, .cji, "monitorCtrl", Self.monitor("stop", theirs)) == Outcome(code: 2, message: "BackMsg_92"))
            #expect(await f.pbx.recordingPaths(uniqueid: 19866).count == 2)
            #expect(try await call(client, .cji, "monitorCtrl", Self.monitor("stop").with(["pushevent": "yes"])).code == 1)
        }
        let agent = try #require(f.center.directory.agent(team: 1, number: "8001"))
        let channel = try await f.center.events(team: 1, after: 0, agent: agent.id, limit: 100).map(\.message)
        #expect(
            channel.filter { $0.hasPrefix("source=AGENT&event=monitor") }.map { field($0, "event") } == ["monitorstart", "monitorstop"])
        await #expect(try f.events(team: 2).isEmpty)
    }
}
