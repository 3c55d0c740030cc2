import CoccEngine
import CoccOperations
import CoccProvisioning
import CoccServer
import CoccStorage
import CoccStore
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

@Suite("queueAction: check in and out")
struct QueueActionTests {
    @Test(arguments: Interface.allCases)
    func checkInAndOutPerGroup(_ interface: Interface) async throws {
        let f = try await Fixture()
        try await f.application().test(.router) { client async throws in
            func queue(_ type: String, _ list: String, user: String = "8001", exten: String = "") async throws -> Outcome {
                try await call(
                    client, interface, "queueAction", Fixture.agent(user).with(["type": type, "list": list, "deviceexten": exten]))
            }
            #expect((try await queue("1", "2")) == Outcome(code: 1, message: "2:success"))
            #expect((try await queue("1", "2")) == Outcome(code: 3, message: "2:CheckedIn"))
            #expect((try await queue("1", "1,99,")) == Outcome(code: 1, message: "1:success,99:NotFoundGroup"))
            // Group 3 belongs to the other team: it does not exist here.
            #expect((try await queue("1", "3")) == Outcome(code: 3, message: "3:NotFoundGroup"))
            #expect((try await queue("2", "2")) == Outcome(code: 1, message: "2:success"))
            #expect((try await queue("2", "2")) == Outcome(code: 3, message: "2:NotChecked"))
            #expect((try await queue("1", "2", user: "8002")) == Outcome(code: 3, message: "2:NotInGroup"))
            #expect((try await queue("2", "")) == Outcome(code: 1, message: "1:success,2:NotChecked"))
            #expect((try await queue("1", "")) == Outcome(code: 1, message: "1:success,2:success"))
            #expect((try await queue("7", "1")) == Outcome(code: 2, message: "BackMsg_13"))
            #expect((try await queue("1", "1", exten: "5555")) == Outcome(code: 2, message: "BackMsg_110"))
            #expect(
                try await call(client, interface, "queueAction", Fixture.agent8001.with(["type": "1", "password": "bad"]))
                    == Outcome(code: 2, message: "BackMsg_03"))
            // An account has no agent session to check in.
            #expect(
                (try await call(client, interface, "queueAction", Fixture.account.with(["type": "1"])))
                    == Outcome(code: 2, message: "BackMsg_12"))
        }
    }

    @Test(arguments: Interface.allCases)
    func deviceExtenAndNoGroups(_ interface: Interface) async throws {
        let f = try await Fixture()
        try await f.admin.addAgent(team: "demo", number: "8006", password: "123456", extension: "8006")
        try await f.center.reloadDirectoryIfChanged(logger: Logger(label: "test"))
        try await f.application().test(.router) { client async throws in
            #expect(
                (try await call(client, interface, "queueAction", Fixture.agent("8006").with(["type": "1"])))
                    == Outcome(code: 2, message: "BackMsg_57"))
            #expect(
                try await call(
                    client, interface, "queueAction", Fixture.agent("8004").with(["type": "1", "list": "2", "deviceexten": "8009"]))
                    == Outcome(code: 1, message: "2:success"))
        }
        let agent = try #require(f.center.directory.agent(team: 1, number: "8004"))
        let session = try #require(await f.center.engine(team: 1).sessionSnapshot(agentID: agent.id))
        #expect(session.extensionNumber == "8009")
        #expect(session.loggedIn)
    }
}
