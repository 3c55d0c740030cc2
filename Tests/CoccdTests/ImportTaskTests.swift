import CoccCampaigns
import CoccEngine
import CoccOperations
import CoccServer
import CoccStorage
import CoccStore
import Foundation
import GRDB
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// File imports (source=http) as tasks, against a real local HTTP server: counts, problems,
/// the allow-list, caps, broken files, and a scheduled task across a restart.
@Suite("importWS: file tasks", .serialized)
struct ImportTaskTests {
    static let gbk: [UInt8] =
        [0xD0, 0xD5, 0xC3, 0xFB, 0x2C, 0xB5, 0xE7, 0xBB, 0xB0, 0xBA, 0xC5, 0xC2, 0xEB, 0xD2, 0xBB] + Array(",priority\r\n".utf8)
        + [0xD5, 0xC5, 0xC8, 0xFD] + Array(",13800000001,5\r\n".utf8)  // 张三
        + Array("Li,13800000002,x\r\nWang,,1\r\nZhao,13800000003\r\nQian,13800000004,9\r\n".utf8)

    /// A file server on loopback: each path answers its bytes; `/moved.csv` redirects elsewhere.
    func files(_ bodies: [String: [UInt8]]) -> some ApplicationProtocol {
        let router = Router()
        for (path, bytes) in bodies {
            router.get(RouterPath(path)) { _, _ in
                Response(status: .ok, headers: [.contentType: "text/csv"], body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
            }
        }
        router.get("/moved.csv") { _, _ in Response(status: .found, headers: [.location: "http://169.254.169.254/latest.csv"]) }
        return Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)), logger: Fixture.quiet)
    }

    func fixture(maxBytes: Int = 1 << 20, maxRows: Int = 1_000) async throws -> Fixture {
        var f = try await Fixture()
        f.configuration.importAllowedHosts = ["127.0.0.1"]
        f.configuration.importMaxBytes = maxBytes
        f.configuration.importMaxRows = maxRows
        return f
    }

    func customers(_ f: Fixture) throws -> Int {
        try f.store.database.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM customers") ?? 0 }
    }

    @Test
    func aGB18030FileImportsAsATaskWithCountsAndProblems() async throws {
        let f = try await fixture()
        let (campaigns, campaign) = try await f.campaign()
        try await campaigns.addField(team: 1, name: "priority", cn: "优先级", en: "Priority")
        try await files(["/customers.csv": Self.gbk]).test(.live) { server async throws in
            let url = "http://127.0.0.1:\(try #require(server.port))/customers.csv"
            try await f.application().test(.router) { client async throws in
                let reply = try await call(
                    client, .soap, "importWS", importParameters(url, source: "http", ["delrow": "1", "priority_field": "priority"]))
                #expect(reply.code == 1 && reply.message == "1")  // the task id
            }
            let done = await (try f.importService()).runDueTasks()
            let task = try #require(done.first)
            #expect(task.state == .done && task.error == "")
            #expect(task.rowsRead == 5 && task.imported == 2 && task.rejected == 3 && task.predialed == 2)
            #expect(
                task.problems == [
                    RowProblem(row: 3, code: "75", reason: "priority is not a number: x"),
                    RowProblem(row: 4, code: "76", reason: "required field missing: 电话号码一(phone1)"),
                    RowProblem(row: 5, code: "74", reason: "2 fields; the header has 3"),
                ])
            await #expect(try campaigns.task(id: 1) == task)
        }
        let list = try await campaigns.predial(campaign: campaign.id)
        #expect(list.map(\.phone) == ["13800000001", "13800000004"])
        #expect(list.map(\.priority) == [5, 9])
        await #expect(try campaigns.customers(package: campaign.packageID).first?.fields["name"] == "张三")
    }

    @Test
    func theAllowListCapsAndMissingFilesAreEnforced() async throws {
        let f = try await fixture(maxBytes: 100)
        let (campaigns, _) = try await f.campaign()
        let big = Array(("phone1\n" + String(repeating: "13800000001\n", count: 20)).utf8)
        try await files(["/big.csv": big, "/ok.csv": Array("phone1\n1\n".utf8)]).test(.live) { server async throws in
            let base = "http://127.0.0.1:\(try #require(server.port))"
            try await f.application().test(.router) { client async throws in
                // Refused at once, no task: a host outside the list, an internal address, not CSV, not a URL.
                #expect(
                    try await call(client, .http, "importWS", importParameters("http://10.0.0.1/a.csv", source: "http")).message
                        == "BackMsg_89")
                #expect(
                    try await call(client, .http, "importWS", importParameters("http://localhost:1/a.csv", source: "http")).message
                        == "BackMsg_89")
                #expect(
                    try await call(client, .http, "importWS", importParameters(base + "/a.xls", source: "http")).message == "BackMsg_86")
                #expect(try await call(client, .http, "importWS", importParameters(base + "/a.csv", source: "ftp")).message == "BackMsg_89")
                await #expect(try campaigns.tasks(team: 1).isEmpty)
                // Accepted, then failing when they run.
                for path in ["/moved.csv", "/big.csv", "/missing.csv"] {
                    #expect(try await call(client, .http, "importWS", importParameters(base + path, source: "http")).code == 1)
                }
            }
            let done = await (try f.importService()).runDueTasks()
            #expect(done.map(\.state) == [.failed, .failed, .failed])
            #expect(done[0].error == "BackMsg_89: host 169.254.169.254 is not in importAllowedHosts")  // the redirect
            #expect(done[1].error == "BackMsg_89: the file is larger than 100 bytes")
            #expect(done[2].error == "BackMsg_404: the file does not exist")
        }
        #expect(try customers(f) == 0)
    }

    @Test
    func aBrokenFileChangesNothing() async throws {
        let f = try await fixture(maxRows: 3)
        _ = try await f.campaign()
        let broken = Array("phone1,name\n13800000001,A\n13800000002,\"B\n".utf8)  // a quote never closed
        let header = Array("phone1,shoe size\n13800000001,42\n".utf8)  // no such field
        let long = Array("phone1\n1\n2\n3\n4\n".utf8)  // 5 rows > 3
        try await files(["/broken.csv": broken, "/header.csv": header, "/long.csv": long]).test(.live) { server async throws in
            let base = "http://127.0.0.1:\(try #require(server.port))"
            try await f.application().test(.router) { client async throws in
                for path in ["/broken.csv", "/header.csv", "/long.csv"] {
                    #expect(try await call(client, .cji, "importWS", importParameters(base + path, source: "http")).code == 1)
                }
            }
            let done = await (try f.importService()).runDueTasks()
            #expect(
                done.map(\.error) == [
                    "BackMsg_86: row 3: a quoted field is never closed", "BackMsg_74: no field named shoe size",
                    "BackMsg_86: more than 3 rows",
                ])
        }
        #expect(try customers(f) == 0)
    }

    @Test
    func aScheduledImportWaitsForItsTimeAndSurvivesARestart() async throws {
        let f = try await fixture()
        let (_, campaign) = try await f.campaign()
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
        let later = formatter.string(from: f.clock().addingTimeInterval(3600))
        try await files(["/night.csv": Array("phone1\n13800000001\n13800000002\n".utf8)]).test(.live) { server async throws in
            let url = "http://127.0.0.1:\(try #require(server.port))/night.csv"
            try await f.application().test(.router) { client async throws in
                #expect(try await call(client, .http, "importWS", importParameters(url, source: "http", ["exetime": later])).message == "1")
                // 0000-00-00 00:00:00 means now.
                #expect(
                    try await call(client, .http, "importWS", importParameters(url, source: "http", ["exetime": "0000-00-00 00:00:00"]))
                        .message == "2")
            }
            #expect(await (try f.importService()).runDueTasks().map(\.id) == [2])
            // A restart: a new process, a new store handle; the task is still scheduled, and runs once due.
            let reopened = try SQLiteStore(path: f.directory.appendingPathComponent("coccd.sqlite").path) as CampaignStore
            await #expect(try reopened.task(id: 1)?.state == .scheduled)
            f.clock.advance(3599)
            let service = ImportService(
                campaigns: reopened, settings: (try f.importService()).settings, clock: { f.clock() }, logger: Fixture.quiet)
            #expect(await service.runDueTasks().isEmpty)
            f.clock.advance(2)
            let ran = await service.runDueTasks()
            #expect(ran.map(\.id) == [1] && ran[0].duplicates == 2)  // task 2 imported them already
            await #expect(try reopened.customers(package: campaign.packageID).count == 2)
        }
    }
}
