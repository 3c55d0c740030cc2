import CoccCampaigns
import CoccOperations
import CoccServer
import CoccStorage
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// One import worker per server (issue 9, item 3): file tasks run one at a time; the others
/// wait as `queued`, as the JSON endpoint shows them.
@Suite("importWS: one worker, a queue", .serialized)
struct ImportQueueTests {
    /// `/slow.csv` answers once the latch opens; `/quick.csv` at once. Both are logged on arrival.
    func files(log: RequestLog, latch: Latch) -> some ApplicationProtocol {
        let router = Router()
        router.get("/slow.csv") { request, _ in
            log.add(request.uri.path, nil)
            await latch.wait()
            return Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: "phone1\n13800000001\n13800000002\n")))
        }
        router.get("/quick.csv") { request, _ in
            log.add(request.uri.path, nil)
            return Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: "phone1\n13800000003\n")))
        }
        return Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)), logger: Fixture.quiet)
    }

    struct TaskView: Decodable {
        var id: Int64
        var state: String
        var imported: Int
    }

    func state(_ client: some TestClientProtocol, _ id: Int) async throws -> TaskView {
        let query = formEncode(Fixture.account.with(["taskid": String(id)]))
        return try await client.execute(uri: "/coccinterface/importtask?\(query)", method: .get) { response in
            try JSONDecoder().decode(TaskView.self, from: Data(String(buffer: response.body).utf8))
        }
    }

    @Test
    func theSecondTaskWaitsQueuedWhileTheFirstRunsThenBothComplete() async throws {
        let f = try await Fixture.importing()
        _ = try await f.campaign()
        let log = RequestLog()
        let latch = Latch()
        try await files(log: log, latch: latch).test(.live) { files async throws in
            let base = "http://127.0.0.1:\(try #require(files.port))"
            // The server as `coccd serve` builds it: its worker runs.
            try await f.liveApplication().test(.live) { client async throws in
                #expect(try await call(client, .http, "importWS", importParameters(base + "/slow.csv", source: "http")).message == "1")
                let started: Void? = await finishing(within: 60) {
                    while await latch.arrivals == 0 { try? await Task.sleep(for: .milliseconds(10)) }
                }
                #expect(started != nil)
                #expect(try await call(client, .http, "importWS", importParameters(base + "/quick.csv", source: "http")).message == "2")
                #expect(try await state(client, 1).state == "running")
                #expect(try await state(client, 2).state == "queued")
                #expect(log.all.map(\.path) == ["/slow.csv"])
                await latch.open()
                let both = await finishing(within: 60) {
                    while true {
                        let states = [try? await state(client, 1).state, try? await state(client, 2).state]
                        if states == ["done", "done"] { return true }
                        try? await Task.sleep(for: .milliseconds(20))
                    }
                }
                #expect(both == true)
                let imported = [try await state(client, 1).imported, try await state(client, 2).imported]
                #expect(imported == [2, 1])
                // The second file was asked for only after the first task ended.
                #expect(log.all.map(\.path) == ["/slow.csv", "/quick.csv"])
            }
        }
    }

    @Test
    func drainingRunsTasksOneAtATimeInOrder() async throws {
        let f = try await Fixture.importing()
        let (campaigns, campaign) = try await f.campaign()
        let log = RequestLog()
        let latch = Latch()
        try await files(log: log, latch: latch).test(.live) { files async throws in
            let base = "http://127.0.0.1:\(try #require(files.port))"
            let service = try f.importService()
            for path in ["/slow.csv", "/quick.csv"] {
                _ = await service.submit(
                    source: "http", context: base + path, user: "", password: "", runAt: nil, into: campaign, options: ImportOptions())
            }
            await #expect(try campaigns.tasks(team: 1).map(\.state) == [.queued, .queued])
            // Two drains at once (the worker's and another): still one task at a time.
            async let first = service.runDueTasks()
            async let second = service.runDueTasks()
            _ = await finishing(within: 60) { while await latch.arrivals == 0 { try? await Task.sleep(for: .milliseconds(10)) } }
            await #expect(try campaigns.task(id: 2)?.state == .queued)
            await latch.open()
            let ran = await first + second
            #expect(ran.map(\.id).sorted() == [1, 2] && ran.allSatisfy { $0.state == .done })
            #expect(log.all.map(\.path) == ["/slow.csv", "/quick.csv"])
        }
    }
}
