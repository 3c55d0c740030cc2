import CoccProvisioning
import CoccStorage
import CoccStore
import Foundation
import Logging
import Synchronization
import Testing

@testable import CoccPostgres

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A PostgreSQL server for the tests: `COCCD_TEST_POSTGRES_URL` (a superuser's URL) when set,
/// else a throwaway cluster that Tests/support/pg-cluster.sh starts once per test process and
/// stops at exit. Each test gets a database of its own, so tests stay independent.
enum TestPostgres {
    static let logger: Logger = {
        var logger = Logger(label: "coccd.tests.postgres")
        logger.logLevel = .warning
        return logger
    }()

    /// Why PostgreSQL tests cannot run here, or nil when they can.
    static let unavailable: String? = {
        if ProcessInfo.processInfo.environment["COCCD_TEST_POSTGRES_URL"] != nil { return nil }
        let candidates =
            (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map { "\($0)/initdb" }
            + ((try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []).map {
                "/usr/lib/postgresql/\($0)/bin/initdb"
            }
        if candidates.contains(where: { FileManager.default.isExecutableFile(atPath: $0) }) { return nil }
        let why = "PostgreSQL tests skipped: COCCD_TEST_POSTGRES_URL is unset and no initdb was found (install postgresql to run them)"
        // CI sets COCCD_TEST_REQUIRE_POSTGRES: there a missing server is a failure, never a skip.
        if ProcessInfo.processInfo.environment["COCCD_TEST_REQUIRE_POSTGRES"] != nil { fatalError(why) }
        print(why)
        return why
    }()

    static var available: Bool { unavailable == nil }

    /// The cluster's directory while one runs; removed at exit.
    nonisolated(unsafe) private static var clusterDirectory: String?

    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("support/pg-cluster.sh").path

    /// The superuser URL of the server: started on first use.
    static let adminURL: Result<String, any Error> = {
        if let url = ProcessInfo.processInfo.environment["COCCD_TEST_POSTGRES_URL"] { return .success(url) }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("coccd-pg-\(UUID().uuidString.prefix(8))").path
        do {
            let url = try run(script, ["start", directory])
            clusterDirectory = directory
            atexit {
                if let directory = TestPostgres.clusterDirectory { _ = try? TestPostgres.run(TestPostgres.script, ["stop", directory]) }
            }
            return .success(url)
        } catch {
            return .failure(error)
        }
    }()

    struct ScriptFailed: Error, CustomStringConvertible {
        var description: String
    }

    /// Runs a script through `sh -c` (posix_spawn, waitpid); answers its standard output's last line. Not through
    /// Foundation's Process, whose wait never returned here once the cluster's server (which
    /// the script leaves running) had been started; and output goes to files, not pipes, which
    /// that server would inherit and hold open.
    static func run(_ program: String, _ arguments: [String]) throws -> String {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("coccd-pg-\(UUID().uuidString)")
        let output = base.appendingPathExtension("out").path
        let errors = base.appendingPathExtension("log").path
        defer {
            try? FileManager.default.removeItem(atPath: output)
            try? FileManager.default.removeItem(atPath: errors)
        }
        let command = (["/bin/bash", program] + arguments).map(quote).joined(separator: " ")
        let status = shell("\(command) </dev/null >\(quote(output)) 2>\(quote(errors))")
        guard status == 0 else {
            let log = (try? String(contentsOfFile: errors, encoding: .utf8)) ?? ""
            throw ScriptFailed(description: "\(program) \(arguments.joined(separator: " ")) failed (\(status)): \(log.suffix(2_000))")
        }
        let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").last.map(String.init) ?? ""
    }

    /// Runs `command` with /bin/sh and waits for it; answers its wait status (0: success).
    static func shell(_ command: String) -> Int32 {
        var pid: pid_t = 0
        let words: [String] = ["/bin/sh", "-c", command]
        var argv: [UnsafeMutablePointer<CChar>?] = words.map { strdup($0) }
        argv.append(nil)
        defer { for arg in argv { free(arg) } }
        guard posix_spawn(&pid, "/bin/sh", nil, nil, argv, environ) == 0 else { return -1 }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 {
            guard errno == EINTR else { return -1 }
        }
        return status
    }

    /// A word for the shell, single-quoted.
    static func quote(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'" }

    /// A fresh database: its URL, and a way to drop it.
    static func makeDatabase() async throws -> (url: String, drop: @Sendable () async -> Void) {
        let admin = try adminURL.get()
        let name = "coccd_t_\(UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(20))"
        try await PostgresStore.createDatabase(named: name, url: admin, logger: logger)
        var components = URLComponents(string: admin)!
        components.path = "/" + name
        // Small pools: dozens of tests may hold stores at once on one test server.
        components.percentEncodedQuery = [components.percentEncodedQuery, "pool=4"].compactMap { $0 }.joined(separator: "&")
        return (components.string!, { try? await PostgresStore.dropDatabase(named: name, url: admin, logger: logger) })
    }

    /// The stores a test opened, closed when it ends (the conformance suite's `remove` is
    /// synchronous: the closing and the database's drop run in a task of their own).
    final class OpenStores: Sendable {
        private let stores = Mutex<[PostgresStore]>([])

        func keep(_ store: PostgresStore) -> PostgresStore {
            stores.withLock { $0.append(store) }
            return store
        }

        func closeAll(then drop: @escaping @Sendable () async -> Void) {
            let all = stores.withLock { stores in
                defer { stores = [] }
                return stores
            }
            Task {
                for store in all { try? await store.close() }
                await drop()
            }
        }
    }

    /// The URL with its password replaced, for building bad URLs in tests.
    static func password(of url: String) -> String { URLComponents(string: url)?.password ?? "" }
}

@Suite("PostgreSQL store URLs")
struct PostgresStoreURLTests {
    @Test func urlsAreParsedAndNeverShowThePassword() throws {
        let secret = "p@ss/w:rd?#%"
        let encoded = "p%40ss%2Fw%3Ard%3F%23%25"
        let location = try PostgresURL(parsing: "postgresql://co%20ccd:\(encoded)@db.example:6543/calls?sslmode=verify-full&pool=3")
        #expect(location.user == "co ccd")
        #expect(location.password == secret)
        #expect(location.host == "db.example" && location.port == 6543 && location.database == "calls")
        #expect(location.sslMode == .verifyFull && location.maximumConnections == 3)
        for shown in [location.description, String(reflecting: location), "\(location)"] { #expect(!shown.contains("p@ss")) }
        var dumped = ""
        dump(location, to: &dumped)
        #expect(!dumped.contains("p@ss") && !dumped.contains(encoded))

        // Defaults; a raw '@' in the password still finds the host after the last one.
        let plain = try PostgresURL(parsing: "postgres://coccd:a@b@10.0.0.5/")
        #expect(plain.password == "a@b" && plain.host == "10.0.0.5" && plain.port == 5432 && plain.database == "coccd")
        #expect(plain.sslMode == .prefer && plain.maximumConnections == 10 && plain.connectTimeout == .seconds(5))
        let v6 = try PostgresURL(parsing: "postgres://u@[::1]:5433/d?sslrootcert=/etc/ssl/ca%20file.pem")
        #expect(v6.host == "::1" && v6.port == 5433 && v6.password == nil && v6.sslRootCert == "/etc/ssl/ca file.pem")
        #expect(v6.description == "[::1]:5433/d")

        for bad in [
            "mysql://u:\(encoded)@h/d", "postgres://:\(encoded)@h/d", "postgres://u:\(encoded)@h:99999/d",
            "postgres://u:\(encoded)@h/d?sslmod=require", "postgres://u:\(encoded)@h/d?sslmode=sometimes", "postgres://u:%zz@h/d",
            "postgres://u:\(encoded)@/d", "postgres://u:\(encoded)@h/d?pool=0",
        ] {
            let error = #expect(throws: PostgresStoreError.self) { try PostgresURL(parsing: bad) }
            #expect(error.map { !"\($0)".contains("p@ss") && !"\($0)".contains(encoded) && !"\($0)".contains("%zz") } == true)
        }
    }

}

@Suite(
    "PostgreSQL store: what only PostgreSQL does",
    .enabled(if: TestPostgres.available, "needs PostgreSQL (COCCD_TEST_POSTGRES_URL or initdb)"))
struct PostgresStoreTests {
    @Test func theSummaryAndAuthenticationErrorsNeverShowThePassword() async throws {
        let database = try await TestPostgres.makeDatabase()
        defer { Task { await database.drop() } }
        let store = try await PostgresStore.open(url: database.url, logger: TestPostgres.logger)
        let password = TestPostgres.password(of: database.url)
        #expect(store.summary.hasPrefix("postgresql 127.0.0.1:") && !store.summary.contains(password) && !store.summary.contains("coccd:"))
        try await store.check()
        try await store.close()

        let wrong = "wr0ng-\(UUID().uuidString)"
        let badURL = database.url.replacingOccurrences(of: ":\(password)@", with: ":\(wrong)@")
        let error = await #expect(throws: PostgresStoreError.self) {
            try await PostgresStore.open(url: badURL, logger: TestPostgres.logger)
        }
        let text = error.map(String.init(describing:)) ?? ""
        #expect(text.contains("password authentication failed") && error?.sqlState == "28P01")
        #expect(!text.contains(wrong) && !text.contains(password))
    }

    @Test func anUnreachableServerFailsTheOpenPromptly() async throws {
        // A port nobody listens on: refused at once.
        let closed = try Self.freePort()
        let started = ContinuousClock.now
        let refused = await #expect(throws: PostgresStoreError.self) {
            try await PostgresStore.open(url: "postgres://coccd:s3cr3t@127.0.0.1:\(closed)/coccd", logger: TestPostgres.logger)
        }
        #expect(ContinuousClock.now - started < .seconds(10))
        #expect(refused.map { "\($0)".contains("127.0.0.1:\(closed)/coccd") && !"\($0)".contains("s3cr3t") } == true)

        // A server that accepts and never answers: bounded by connect_timeout.
        let (socket, port) = try Self.silentListener()
        defer { close(socket) }
        let silentStart = ContinuousClock.now
        let silent = await #expect(throws: PostgresStoreError.self) {
            try await PostgresStore.open(
                url: "postgres://coccd:s3cr3t@127.0.0.1:\(port)/coccd?connect_timeout=2&sslmode=disable", logger: TestPostgres.logger)
        }
        #expect(ContinuousClock.now - silentStart < .seconds(8))
        #expect(silent.map { !"\($0)".contains("s3cr3t") } == true)
    }

    @Test func twoWritersOnOneTeamGetConsecutiveEventIDs() async throws {
        let database = try await TestPostgres.makeDatabase()
        defer { Task { await database.drop() } }
        // Two stores on one database: two coccd nodes.
        let first = try await PostgresStore.open(url: database.url, logger: TestPostgres.logger)
        let second = try await PostgresStore.open(url: database.url, logger: TestPostgres.logger)
        let team = try await first.apply([.addTeam(identity: "acme", name: "Acme", id: nil)])[0]
        let perWriter = 150
        let ids = try await withThrowingTaskGroup(of: [Int64].self) { group in
            for store in [first, second, first, second] {
                group.addTask {
                    var ids: [Int64] = []
                    for _ in 0..<perWriter {
                        ids.append(try await store.appendEvent(teamID: team, at: Date(), agentIDs: [7]) { "e\($0)" }.eventid)
                    }
                    return ids
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
        #expect(ids.sorted() == Array(1...Int64(4 * perWriter)))
        let stored = try await second.events(teamID: team, after: 0, limit: 10_000, agentID: 7)
        #expect(stored.map(\.eventid) == Array(1...Int64(4 * perWriter)))
        #expect(stored.allSatisfy { $0.message == "e\($0.eventid)" })
        try await first.close()
        try await second.close()
    }

    @Test func aDirectoryChangeIsSignalledThroughListen() async throws {
        let database = try await TestPostgres.makeDatabase()
        defer { Task { await database.drop() } }
        let watcher = try await PostgresStore.open(url: database.url, logger: TestPostgres.logger)
        let writer = try await PostgresStore.open(url: database.url, logger: TestPostgres.logger)
        let signals = try #require(watcher.directoryChangeSignals())
        let seen = Signals()
        let consumer = Task {
            for await _ in signals { seen.record() }
            seen.end()
        }
        defer { consumer.cancel() }
        // The first signal says that listening has started.
        try await Self.eventually { seen.count >= 1 }
        let before = try await watcher.directoryRevision()
        _ = try await writer.apply([.addTeam(identity: "acme", name: "Acme", id: nil), .addExtension(team: "acme", number: "8001")])
        try await Self.eventually { seen.count >= 2 }
        #expect(try await watcher.directoryRevision() > before)

        // The listener's connection dies: it reconnects, signals once (a change may have been
        // missed meanwhile), and listens again.
        try await writer.execute(
            unsafeSQL: """
                SELECT pg_terminate_backend(pid) FROM pg_stat_activity
                WHERE datname = current_database() AND pid <> pg_backend_pid() AND query ILIKE '%listen%coccd_directory%'
                """, operation: "test")
        try await Self.eventually { seen.count >= 3 }
        _ = try await writer.apply([.removeExtension(team: "acme", number: "8001")])
        try await Self.eventually { seen.count >= 4 }
        try await writer.close()
        try await watcher.close()
        // Closing the store ends the stream.
        try await Self.eventually { seen.ended }
    }

    @Test func migrationsAreAppliedOnceWhateverTheNumberOfOpens() async throws {
        let database = try await TestPostgres.makeDatabase()
        defer { Task { await database.drop() } }
        // Three nodes starting at once, then a restart.
        let stores = try await withThrowingTaskGroup(of: PostgresStore.self) { group in
            for _ in 0..<3 { group.addTask { try await PostgresStore.open(url: database.url, logger: TestPostgres.logger) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        _ = try await stores[0].apply([.addTeam(identity: "acme", name: "Acme", id: nil)])
        for store in stores { try await store.close() }
        let again = try await PostgresStore.open(url: database.url, logger: TestPostgres.logger)
        #expect(try await again.appliedMigrations() == PostgresStore.migrations.map(\.version))
        #expect(try await again.loadDirectory().team(identity: "acme") != nil)
        try await again.close()
    }

    @Test func explicitIDsDoNotBreakLaterAutomaticOnes() async throws {
        let database = try await TestPostgres.makeDatabase()
        defer { Task { await database.drop() } }
        let store = try await PostgresStore.open(url: database.url, logger: TestPostgres.logger)
        let ids = try await store.apply([
            .addTeam(identity: "given", name: "", id: 50),
            .addTeam(identity: "auto", name: "", id: nil),
            .addGroup(team: "given", name: "g", queueNumber: "6001", id: 7_000),
            .addGroup(team: "given", name: "h", queueNumber: "6002", id: nil),
        ])
        #expect(ids == [50, 51, 7_000, 7_001])
        // An explicit id below the sequence leaves it where it is.
        #expect(
            try await store.apply([.addTeam(identity: "low", name: "", id: 10), .addTeam(identity: "next", name: "", id: nil)]) == [10, 52])
        // A duplicate is refused as such, and the whole list with it.
        let duplicate = await #expect(throws: DirectoryAdminError.self) {
            try await store.apply([.addTeam(identity: "late", name: "", id: nil), .addTeam(identity: "clash", name: "", id: 50)])
        }
        #expect(duplicate.map { if case .invalid(let why) = $0 { why.hasPrefix("already exists or conflicts (") } else { false } } == true)
        #expect(try await store.loadDirectory().team(identity: "late") == nil)
        let missing = await #expect(throws: DirectoryAdminError.self) {
            try await store.apply([.setMember(team: "given", group: .id(7_000), agent: "9999", kind: .static, admin: false)])
        }
        #expect(missing == .notFound("agent 9999"))
        try await store.close()
    }

    // MARK: helpers

    /// Waits until `condition` holds, for 10 s at most.
    static func eventually(_ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(10)
        while !condition() {
            guard ContinuousClock.now < deadline else { throw TimedOut() }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// What a stream of signals delivered.
    final class Signals: Sendable {
        private let state = Mutex((count: 0, ended: false))
        var count: Int { state.withLock { $0.count } }
        var ended: Bool { state.withLock { $0.ended } }
        func record() { state.withLock { $0.count += 1 } }
        func end() { state.withLock { $0.ended = true } }
    }

    struct TimedOut: Error {}
    struct SocketFailed: Error {}

    /// A TCP port on 127.0.0.1 that was free a moment ago (and so is closed now).
    static func freePort() throws -> Int {
        let (socket, port) = try bound(listening: false)
        close(socket)
        return port
    }

    /// A socket that accepts connections (the kernel's backlog does) and never answers.
    static func silentListener() throws -> (Int32, Int) { try bound(listening: true) }

    private static func bound(listening: Bool) throws -> (Int32, Int) {
        #if canImport(Glibc)
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
            let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw SocketFailed() }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let size = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, size) } }
        guard ok == 0, !listening || listen(fd, 16) == 0 else {
            close(fd)
            throw SocketFailed()
        }
        var bound = sockaddr_in()
        var length = size
        _ = withUnsafeMutablePointer(to: &bound) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        return (fd, Int(UInt16(bigEndian: bound.sin_port)))
    }
}

/// The import on PostgreSQL against the reference, SQLite's, row for row: the same seeded
/// batches (duplicates inside a batch and across batches, master packages, every option, bad
/// rows, dials in between) give the same outcomes and leave the same customers and lists.
@Suite("PostgreSQL import matches SQLite's", .enabled(if: TestPostgres.available, "needs PostgreSQL (COCCD_TEST_POSTGRES_URL or initdb)"))
struct PostgresImportParityTests {
    /// SplitMix64: the same batches on every run.
    struct Seeded: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    /// A store's campaign state, comparable across stores.
    struct Snapshot: Equatable {
        var customers: [[String]]
        var entries: [[String]]
    }

    static func snapshot(_ store: any DataStore, packages: [Int64], campaigns: [Int64]) async throws -> Snapshot {
        var customers: [[String]] = []
        for package in packages {
            for c in try await store.customers(package: package, limit: 100_000) {
                customers.append(
                    ["\(c.id)", "\(c.packageID ?? -1)", c.status, c.agent]
                        + c.fields.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" })
            }
        }
        var entries: [[String]] = []
        for campaign in campaigns {
            for e in try await store.predial(campaign: campaign, limit: 100_000) {
                entries.append([
                    "\(e.id)", "\(e.campaignID)", "\(e.customerID)", e.phone, "\(e.priority)", "\(e.dialAt.timeIntervalSince1970)", e.agent,
                    e.status, "\(e.attempts)", e.lastResult,
                ])
            }
        }
        return Snapshot(customers: customers, entries: entries)
    }

    @Test func seededBatchesGiveTheSameOutcomesAndRows() async throws {
        let database = try await TestPostgres.makeDatabase()
        defer { Task { await database.drop() } }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("coccd-parity-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let sqlite = try SQLiteStore(path: directory.appendingPathComponent("coccd.sqlite").path)
        let postgres = try await PostgresStore.open(url: database.url, logger: TestPostgres.logger)
        let stores: [any DataStore] = [sqlite, postgres]

        var campaigns: [[Campaign]] = [[], []]
        var packages: [Int64] = []
        for (index, store) in stores.enumerated() {
            let ids = try await store.apply([
                .addTeam(identity: "acme", name: "Acme", id: nil), .addGroup(team: "acme", name: "g", queueNumber: "6001", id: nil),
            ])
            let plain = try await store.createPackage(team: ids[0], name: "plain", master: false)
            let masterA = try await store.createPackage(team: ids[0], name: "master a", master: true)
            let masterB = try await store.createPackage(team: ids[0], name: "master b", master: true)
            packages = [plain, masterA, masterB]
            for (name, package) in [("c-plain", plain), ("c-a", masterA), ("c-b", masterB)] {
                _ = try await store.createCampaign(team: ids[0], name: name, groupID: ids[1], packageID: package, mode: .progressive)
                campaigns[index].append(try #require(try await store.campaign(team: ids[0], id: name)))
            }
        }
        #expect(campaigns[0] == campaigns[1])

        var random = Seeded(state: 2_024)
        let now = Date(timeIntervalSince1970: 1_790_000_000.25)
        for batch in 0..<40 {
            var options = ImportOptions()
            options.phoneField = ["phone1", "phone2", ""].randomElement(using: &random)!
            options.priorityField = Bool.random(using: &random) ? "prio" : ""
            options.dialtimeField = Bool.random(using: &random) ? "when" : ""
            options.emptyAgent = Int.random(in: 0..<4, using: &random) == 0
            options.resetStatus = Int.random(in: 0..<4, using: &random) == 0
            options.dupway = Bool.random(using: &random) ? .update : .skip
            options.dupDialList = [.ignoreDuplicate, .all, .ignoreSuccess].randomElement(using: &random)!
            options.changePackage = [.skip, .unassignToCurrent, .reassignToCurrent].randomElement(using: &random)!
            let campaign = Int.random(in: 0..<3, using: &random)
            let records = (0..<Int.random(in: 1...60, using: &random)).map { row in
                var fields: [String: String] = [:]
                if Int.random(in: 0..<15, using: &random) != 0 { fields["phone1"] = " 1390000\(Int.random(in: 0..<80, using: &random)) " }
                if Bool.random(using: &random) { fields["phone2"] = "1380000\(Int.random(in: 0..<40, using: &random))" }
                if Bool.random(using: &random) { fields["name"] = "n\(batch)-\(row) \"q\" \\ {x,y}" }
                if Bool.random(using: &random) { fields["company"] = "" }
                if Bool.random(using: &random) { fields["colour"] = ["red", "blue", "ü"].randomElement(using: &random)! }
                if Bool.random(using: &random) { fields["prio"] = ["1", "2", " 3 ", "x", ""].randomElement(using: &random)! }
                if Bool.random(using: &random) {
                    fields["when"] = ["2026-01-02 03:04:05", "2026-13-01", "2026-05-06"].randomElement(using: &random)!
                }
                return ImportRecord(row: row + 2, fields: fields)
            }
            var outcomes: [[Result<RecordOutcome, RowProblem>]] = []
            for (index, store) in stores.enumerated() {
                outcomes.append(
                    try await store.importBatch(campaign: campaigns[index][campaign], records: records, options: options, now: now))
            }
            #expect(outcomes[0] == outcomes[1], "batch \(batch)")

            // Dials in between: statuses and owners change, as the dialer changes them.
            if batch % 3 == 2 {
                for (index, store) in stores.enumerated() {
                    let claimed = try await store.claimNextEntry(campaign: campaigns[index][campaign].id, agent: "8001", now: now) {
                        "m\($0)-\($1)"
                    }
                    if let (entry, _) = claimed {
                        try await store.settle(
                            entry: entry, result: "answered", status: .answered, customerStatus: "success", retryAt: nil, now: now)
                    }
                }
            }
        }
        let ids = campaigns[0].map(\.id)
        let expected = try await Self.snapshot(sqlite, packages: packages, campaigns: ids)
        let actual = try await Self.snapshot(postgres, packages: packages, campaigns: ids)
        #expect(expected.customers.count > 50 && expected.entries.count > 20)
        #expect(actual.customers == expected.customers)
        #expect(actual.entries == expected.entries)
        try await postgres.close()
        try await sqlite.close()
    }

    /// 100,000 rows in batches of 1,000 (the import service's), on both stores, timed. Opt-in
    /// (`COCCD_TEST_IMPORT_TIMING=1`): it takes a while and says more in a release build. The
    /// goal is 2× SQLite's time; on a 2-core machine running both the server and the test it is
    /// about 3.5× (release: 4.5 s against 1.3 s), of which the server's own inserts are 2.9 s
    /// (pgbench: 29 ms per 1,000 customers and their 1,000 entries), so the bound guards
    /// against regressions (a plan that scans, a statement per row) rather than the goal.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["COCCD_TEST_IMPORT_TIMING"] == "1"))
    func aHundredThousandRowsInAFewTimesSQLitesTime() async throws {
        let database = try await TestPostgres.makeDatabase()
        defer { Task { await database.drop() } }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("coccd-timing-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let sqlite = try SQLiteStore(path: directory.appendingPathComponent("coccd.sqlite").path)
        let postgres = try await PostgresStore.open(url: database.url, logger: TestPostgres.logger)
        var times: [Duration] = []
        for store in [sqlite, postgres] as [any DataStore] {
            let ids = try await store.apply([
                .addTeam(identity: "acme", name: "", id: nil), .addGroup(team: "acme", name: "g", queueNumber: "6001", id: nil),
            ])
            let package = try await store.createPackage(team: ids[0], name: "p", master: false)
            _ = try await store.createCampaign(team: ids[0], name: "c", groupID: ids[1], packageID: package, mode: .progressive)
            let campaign = try #require(try await store.campaign(team: ids[0], id: "c"))
            var options = ImportOptions()
            options.phoneField = "phone1"
            let start = ContinuousClock.now
            for batch in 0..<100 {
                let records = (0..<1_000).map { i in
                    ImportRecord(
                        row: batch * 1_000 + i + 2,
                        fields: [
                            "phone1": String(13_900_000_000 + batch * 1_000 + i), "name": "c\(i)", "company": "co", "email": "e@example",
                        ])
                }
                _ = try await store.importBatch(campaign: campaign, records: records, options: options, now: Date())
            }
            times.append(ContinuousClock.now - start)
            #expect(try await store.predial(campaign: campaign.id, limit: 200_000).count == 100_000)
        }
        print("100,000 rows imported: sqlite \(times[0]), postgresql \(times[1])")
        #expect(times[1] <= times[0] * 5)
        try await postgres.close()
        try await sqlite.close()
    }
}
