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

@Suite("queuePause: pause and unpause")
struct QueuePauseTests {
    @Test(arguments: Interface.allCases)
    func pauseLifecycle(_ interface: Interface) async throws {
        let f = try await Fixture()
        try await f.application().test(.router) { client async throws in
            func pause(_ type: String, _ reason: String = "", dnd: String = "") async throws -> Outcome {
                try await call(client, interface, "queuePause", Fixture.agent8001.with(["type": type, "pause_reason": reason, "dnd": dnd]))
            }
            #expect((try await pause("1", "lunch")) == Outcome(code: 2, message: "BackMsg_58"))
            _ = try await call(client, interface, "login", Fixture.agent8001)
            #expect((try await pause("1")) == Outcome(code: 2, message: "BackMsg_01"))
            #expect((try await pause("3", "lunch")) == Outcome(code: 2, message: "BackMsg_13"))
            #expect((try await pause("1", "lunch", dnd: "1")) == Outcome(code: 1, message: "BackMsg_14"))
            #expect((try await pause("1", "rest")) == Outcome(code: 2, message: "BackMsg_66"))
            #expect(try await call(client, interface, "agentStatus", Fixture.agent8001).extra == "1-pause,2-logout,")
            let paused = try #require(await f.center.engine(team: 1).sessionSnapshot(agentID: 1))
            #expect(paused.dnd && paused.pause?.reason == "lunch")
            #expect((try await pause("2", dnd: "1")) == Outcome(code: 1, message: "BackMsg_14"))
            #expect((try await pause("2")) == Outcome(code: 1, message: "BackMsg_14"))
            #expect(try await call(client, interface, "agentStatus", Fixture.agent8001).extra == "1-idle,2-logout,")
            let ready = try #require(await f.center.engine(team: 1).sessionSnapshot(agentID: 1))
            #expect(!ready.dnd && ready.pause == nil)
        }
    }
}
