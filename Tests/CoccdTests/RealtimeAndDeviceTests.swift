import CoccEngine
import CoccOperations
import CoccServer
import CoccStorage
import CoccStore
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

@Suite("agentRealtime and setdevice")
struct RealtimeAndDeviceTests {
    @Test(arguments: Interface.allCases)
    func realtimeCountsTodaysPauses(_ interface: Interface) async throws {
        let f = try await Fixture()
        try await f.application().test(.router) { client async throws in
            func pause(_ type: String, _ reason: String = "") async throws {
                let o = try await call(client, interface, "queuePause", Fixture.agent8001.with(["type": type, "pause_reason": reason]))
                #expect(o.code == 1)
            }
            _ = try await call(client, interface, "login", Fixture.agent8001)
            f.clock.advance(5)
            try await pause("1", "rest")
            f.clock.advance(10)
            try await pause("2")
            try await pause("1", "meeting")
            f.clock.advance(60)
            try await pause("2")
            try await pause("1", "meeting")
            f.clock.advance(20)
            try await pause("2")
            try await pause("1", "coffee")
            f.clock.advance(7)
            try await pause("2")  // free text counts as "other"
            f.clock.advance(3)
            try await pause("1", "lunch")
            f.clock.advance(30)  // still paused: counted up to now
            let outcome = try await call(client, interface, "agentRealtime", Fixture.agent8001)
            #expect(outcome.code == 1)
            //                      name      |num |status|secs|n|rest|leave|meeting|training|lunch|other|total|rest|leave|meeting|training|lunch|other
            #expect(outcome.message == "Agent 8001|8001|pause|30|5|1|0|2|0|1|1|127|10|0|80|0|30|7")
            #expect(
                (try await call(client, interface, "agentRealtime", Fixture.agent8001.with(["password": "x"])))
                    == Outcome(code: 2, message: "BackMsg_03"))
        }
    }

    @Test(arguments: Interface.allCases)
    func realtimeAfterRestartAndLogout(_ interface: Interface) async throws {
        let f = try await Fixture()
        try await f.application().test(.router) { client async throws in
            _ = try await call(client, interface, "login", Fixture.agent("8005"))
            _ = try await call(client, interface, "queuePause", Fixture.agent("8005").with(["type": "1", "pause_reason": "training"]))
            f.clock.advance(42)
        }
        // A restarted server still knows the pause and its start.
        try await f.application(center: try f.restarted()).test(.router) { client async throws in
            #expect(
                try await call(client, interface, "agentRealtime", Fixture.agent("8005")).message
                    == "Agent 8005|8005|pause|42|1|0|0|0|1|0|0|42|0|0|0|42|0|0")
            _ = try await call(client, interface, "logout", Fixture.agent("8005"))
            f.clock.advance(8)
            #expect(
                try await call(client, interface, "agentRealtime", Fixture.agent("8005")).message
                    == "Agent 8005|8005|logout|8|1|0|0|0|1|0|0|42|0|0|0|42|0|0")
        }
    }

    @Test(arguments: Interface.allCases)
    func setDevice(_ interface: Interface) async throws {
        let f = try await Fixture()
        try await f.application().test(.router) { client async throws in
            // setdevice has no usertype: user is always an agent.
            let device = ["orgidentity": "demo", "user": "8001", "pwdtype": "plaintext", "password": "123456"]
            #expect(
                (try await call(client, interface, "setdevice", device.with(["exten": "7777"]))) == Outcome(code: 2, message: "BackMsg_110")
            )
            #expect(
                (try await call(client, interface, "setdevice", device.with(["exten": "9001"]))) == Outcome(code: 2, message: "BackMsg_110")
            )
            #expect((try await call(client, interface, "setdevice", device.with(["exten": ""]))) == Outcome(code: 2, message: "BackMsg_01"))
            _ = try await call(client, interface, "login", Fixture.agent8001)
            #expect(
                (try await call(client, interface, "setdevice", device.with(["exten": "8007"]))) == Outcome(code: 1, message: "BackMsg_112")
            )
            _ = try await call(client, interface, "queueAction", Fixture.agent8001.with(["type": "1", "list": "2"]))
            #expect(
                (try await call(client, interface, "setdevice", device.with(["exten": "8008"]))) == Outcome(code: 2, message: "BackMsg_111")
            )
            _ = try await call(client, interface, "queueAction", Fixture.agent8001.with(["type": "2", "list": "2"]))
            #expect(
                (try await call(client, interface, "setdevice", device.with(["exten": "8008"]))) == Outcome(code: 1, message: "BackMsg_112")
            )
            #expect(
                (try await call(client, interface, "setdevice", device.with(["exten": "8008", "password": "no"])))
                    == Outcome(code: 2, message: "BackMsg_03"))
        }
        #expect(try await f.center.engine(team: 1).sessionSnapshot(agentID: 1)?.extensionNumber == "8008")
    }
}
