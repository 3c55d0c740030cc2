import CoccCampaigns
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

/// Fetcher hygiene (issue 9, items 5, 8 and 10): credentials only to their origin, no userinfo
/// in stored URLs, FTP replies capped, one deadline per fetch.
@Suite("importWS: fetching", .serialized)
struct ImportFetchTests {
    static let csv = "phone1\n13800000001\n"

    /// Logs each request's path and Authorization header; `/start.csv` redirects to `redirect`,
    /// `/same.csv` to its own `/data.csv`, `/trickle.csv` sends a byte every 100 ms for 30 s.
    func files(_ log: RequestLog, redirect: String = "") -> some ApplicationProtocol {
        let router = Router()
        router.get("/start.csv") { request, _ in
            log.add(request.uri.path, request.headers[.authorization])
            return Response(status: .found, headers: [.location: redirect])
        }
        router.get("/same.csv") { request, _ in
            log.add(request.uri.path, request.headers[.authorization])
            return Response(status: .found, headers: [.location: "/data.csv"])
        }
        router.get("/data.csv") { request, _ in
            log.add(request.uri.path, request.headers[.authorization])
            return Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: Self.csv)))
        }
        router.get("/trickle.csv") { _, _ in
            Response(
                status: .ok,
                body: ResponseBody { writer in
                    try await writer.write(ByteBuffer(string: "phone1\n"))
                    // 30 s of it: far past the deadline, and yet an end, so that a fetcher without
                    // one fails this test (a done task) rather than hanging it.
                    for _ in 0..<300 {
                        try await Task.sleep(for: .milliseconds(100))
                        try await writer.write(ByteBuffer(string: "1"))
                    }
                    try await writer.write(ByteBuffer(string: "\n"))
                    try await writer.finish(nil)
                })
        }
        return Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)), logger: Fixture.quiet)
    }

    func fixture(timeout: Double = 60) async throws -> (Fixture, Campaign) {
        let f = try await Fixture.importing { $0.importTimeoutSeconds = timeout }
        return (f, try await f.campaign().1)
    }

    /// Submits a file import and runs it, within a safety net against hangs.
    func run(_ f: Fixture, _ campaign: Campaign, _ url: String, source: String = "http", user: String = "", password: String = "")
        async throws
        -> ImportTask?
    {
        let service = try f.importService()
        _ = try await service.submit(
            source: source, context: url, user: user, password: password, runAt: nil, into: campaign, options: ImportOptions()
        ).get()
        // A guard against hangs only: every case here ends long before, by its cap or its deadline.
        return await finishing(within: 120) { await service.runDueTasks().first }?.flatMap { $0 }
    }

    func stored(_ f: Fixture) throws -> [Row] {
        try f.store.database.read { db in try Row.fetchAll(db, sql: "SELECT url, source_user, source_pwd FROM import_tasks ORDER BY id") }
    }

    @Test
    func credentialsGoOnlyToTheOriginTheyWereGivenFor() async throws {
        let (f, campaign) = try await fixture()
        let basic = "Basic " + Data("u:p".utf8).base64EncodedString()
        let other = RequestLog()
        try await files(other).test(.live) { otherServer async throws in
            // Another port on the same address is another origin.
            let elsewhere = "http://127.0.0.1:\(try #require(otherServer.port))/data.csv"
            let origin = RequestLog()
            try await files(origin, redirect: elsewhere).test(.live) { server async throws in
                let base = "http://127.0.0.1:\(try #require(server.port))"
                // source_user/source_pwd, then the same credentials as userinfo.
                #expect(try await run(f, campaign, base + "/start.csv", user: "u", password: "p")?.state == .done)
                #expect(try await run(f, campaign, "http://u:p@127.0.0.1:\(try #require(server.port))/start.csv")?.state == .done)
                // A redirect within the origin keeps them.
                #expect(try await run(f, campaign, base + "/same.csv", user: "u", password: "p")?.state == .done)
                #expect(
                    origin.all == [
                        .init(path: "/start.csv", authorization: basic), .init(path: "/start.csv", authorization: basic),
                        .init(path: "/same.csv", authorization: basic), .init(path: "/data.csv", authorization: basic),
                    ])
            }
        }
        #expect(other.all == [.init(path: "/data.csv", authorization: nil), .init(path: "/data.csv", authorization: nil)])
        // The URL written with userinfo is stored without it; its password is cleared once the task ended.
        let rows = try stored(f)
        #expect(rows.map { $0["url"] as String }.allSatisfy { !$0.contains("u:p@") && !$0.contains("@") })
        #expect(rows.map { $0["source_user"] as String } == ["u", "u", "u"] && rows.allSatisfy { ($0["source_pwd"] as String).isEmpty })
    }

    @Test
    func anFTPURLsUserinfoIsUsedButNeverStored() async throws {
        let (f, campaign) = try await fixture()
        let seen = RequestLog()
        let ftp = try ScriptedTCPServer { c in
            c.send("220 ready\r\n")
            while let line = c.readLine() {
                seen.add(line, nil)
                c.send(line.hasPrefix("USER") ? "331 password please\r\n" : "530 not today\r\n")
            }
        }
        defer { ftp.stop() }
        let url = "ftp://cocc:s3cret%40x@127.0.0.1:\(ftp.port)/gb.csv"
        let task = try #require(try await run(f, campaign, url, source: "ftp"))
        #expect(task.error == "BackMsg_89: FTP: 530 not today")
        #expect(task.url == "ftp://127.0.0.1:\(ftp.port)/gb.csv")
        #expect(seen.all.map(\.path).prefix(2) == ["USER cocc", "PASS s3cret@x"])
        let row = try #require(try stored(f).first)
        #expect(
            row["url"] as String == "ftp://127.0.0.1:\(ftp.port)/gb.csv" && row["source_user"] as String == "cocc"
                && row["source_pwd"] as String == "")
    }

    /// Hostile FTP servers: an endless multi-line reply, a line that never ends, one that
    /// trickles a line every 100 ms (each read is quick; the fetch never ends), and one that
    /// never answers. Each fetch fails, with its reason, and nothing hangs.
    @Test
    func hostileFTPServersFailTheFetchInsteadOfHoldingIt() async throws {
        // The caps must act on their own, so those servers meet a deadline far away (60 s); the
        // deadline cases get 1 s.
        let capped = try await fixture(timeout: 60)
        let timed = try await fixture(timeout: 1)
        let scripts: [(String, (Fixture, Campaign), @Sendable (ScriptedTCPServer.Connection) -> Void)] = [
            (
                "FTP: a reply of more than 100 lines", capped,
                { c in
                    c.send("220-welcome\r\n")
                    while c.send("220-and more\r\n") {}
                }
            ),
            (
                "FTP: a reply line longer than 8192 bytes", capped,
                { c in
                    c.send("220 ")
                    while c.send(String(repeating: "x", count: 1024)) {}
                }
            ),
            (
                "the fetch took longer than 1 s (importTimeoutSeconds)", timed,
                { c in
                    c.send("220-slow\r\n")
                    while c.send("220-still here\r\n") { c.idle(0.1) }
                }
            ),
            ("the fetch took longer than 1 s (importTimeoutSeconds)", timed, { c in c.idle(120) }),
        ]
        for (reason, (f, campaign), script) in scripts {
            let server = try ScriptedTCPServer(script)
            defer { server.stop() }
            let task = try await run(f, campaign, "ftp://127.0.0.1:\(server.port)/x.csv", source: "ftp")
            #expect(task?.state == .failed && task?.error == "BackMsg_89: " + reason)
        }
    }

    @Test
    func anHTTPServerThatTricklesForeverMeetsTheDeadline() async throws {
        let (f, campaign) = try await fixture(timeout: 1)
        try await files(RequestLog()).test(.live) { server async throws in
            let task = try await run(f, campaign, "http://127.0.0.1:\(try #require(server.port))/trickle.csv")
            #expect(task?.state == .failed && task?.error == "BackMsg_89: the fetch took longer than 1 s (importTimeoutSeconds)")
        }
    }

    /// Tasks stored before the fix: the migration takes userinfo out of their URLs.
    @Test
    func theMigrationScrubsUserinfoFromStoredURLs() async throws {
        let f = try await Fixture()
        let path = f.directory.appendingPathComponent("coccd.sqlite").path
        try await f.store.database.write { db in
            // Back to the schema before the migration, with two old tasks.
            try db.execute(
                sql: """
                    DELETE FROM grdb_migrations WHERE identifier = 'v7-import-hardening';
                    DROP TABLE import_team_settings;
                    ALTER TABLE import_tasks DROP COLUMN progress_row;
                    INSERT INTO import_tasks (team_id, campaign_id, source, url, options, run_at, created_at, state)
                    VALUES (1, 1, 'ftp', 'ftp://u:p%40ss@h.example/x.csv', '{}', 0, 0, 'scheduled'),
                           (1, 1, 'ftp', 'ftp://u:old@h.example/y.csv', '{}', 0, 0, 'done');
                    """)
        }
        let reopened = try SQLiteStore(path: path)
        let rows = try reopened.database.read { db in
            try Row.fetchAll(db, sql: "SELECT url, source_user, source_pwd FROM import_tasks ORDER BY id")
        }
        #expect(rows.map { $0["url"] as String } == ["ftp://h.example/x.csv", "ftp://h.example/y.csv"])
        // The pending task keeps its credentials (cleared when it ends); the finished one does not.
        #expect(rows.map { [$0["source_user"] as String, $0["source_pwd"] as String] } == [["u", "p@ss"], ["", ""]])
    }
}
