import ArgumentParser
import CoccEngine
import CoccPostgres
import CoccProvisioning
import CoccServer
import CoccStorage
import CoccStore
import Foundation
import Logging
import Synchronization

enum ProcessEnvironment {
    static func value(_ name: String) -> String? { ProcessInfo.processInfo.environment[name] }
    static var all: [String: String] { ProcessInfo.processInfo.environment }
}

/// Opens the store a configuration names: PostgreSQL when `database` is set, else SQLite in the
/// data directory. The one place that knows both implementations; everything above it sees
/// `any DataStore`.
enum StoreOpening {
    /// The exit status of a server or command whose store cannot be opened (sysexits'
    /// EX_UNAVAILABLE), so that a service manager or script can tell it from bad arguments (64).
    static let unavailableExitCode: Int32 = 69

    static func open(configuration: ServerConfiguration, logger: Logger) async throws -> any DataStore {
        // Recordings, import files and keys stay in the data directory with either store.
        DataDirectory.restrictNewFiles()
        try DataDirectory.prepare(configuration.dataDirectory)
        let url = configuration.database.trimmingCharacters(in: .whitespaces)
        if url.isEmpty { return try openSQLite(in: configuration.dataDirectory) }
        guard url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") else {
            // Not echoed: a mistyped URL may still hold a password.
            throw ValidationError("--database-url must be a postgres:// or postgresql:// URL")
        }
        return try await PostgresStore.open(url: url, logger: logger)
    }

    /// The store file `coccd.sqlite` in `directory`, which is created (0700) when missing; the
    /// directory and what is in it are made private to this user (README: "Files at rest").
    static func openSQLite(in directory: String) throws -> SQLiteStore {
        DataDirectory.restrictNewFiles()
        try DataDirectory.prepare(directory)
        return try SQLiteStore(path: (directory as NSString).appendingPathComponent("coccd.sqlite"))
    }
}

/// The stores the CLI's commands opened in this process, closed once by `Coccd.main` after the
/// command ran: a command opens its store once however many helpers ask for it.
enum OpenedStores {
    private static let opened = Mutex<[String: Task<any DataStore, any Error>]>([:])

    static func store(for configuration: ServerConfiguration) async throws -> any DataStore {
        let key = configuration.database.isEmpty ? "sqlite:" + configuration.dataDirectory : configuration.database
        let task = opened.withLock { opened in
            if let task = opened[key] { return task }
            var logger = Logger(label: "coccd")
            logger.logLevel = .warning  // a command prints its own results; the store's notices would be noise
            let task = Task<any DataStore, any Error> { try await StoreOpening.open(configuration: configuration, logger: logger) }
            opened[key] = task
            return task
        }
        return try await task.value
    }

    static func closeAll() async {
        let tasks = opened.withLock { opened in
            defer { opened = [:] }
            return Array(opened.values)
        }
        for task in tasks {
            if let store = try? await task.value { try? await store.close() }
        }
    }
}

extension DataOptions {
    /// The `--config` file, then `COCCD_*` variables, then these flags; as `serve` reads them.
    func resolvedConfiguration() throws -> ServerConfiguration {
        var configuration = ServerConfiguration()
        if let file = config {
            var path = file
            if !FileManager.default.fileExists(atPath: path), FileManager.default.fileExists(atPath: "Config/\(file)") {
                path = "Config/\(file)"
            }
            guard let data = FileManager.default.contents(atPath: path) else {
                throw ValidationError("cannot read configuration file \(file)")
            }
            configuration = try JSONDecoder().decode(ServerConfiguration.self, from: data)
        }
        configuration.apply(environment: ProcessEnvironment.all)
        if let dataDirectory { configuration.dataDirectory = dataDirectory }
        if let databaseURL { configuration.database = databaseURL }
        return configuration
    }

    /// The store these options name, opened (and migrated when needed) once per process.
    func openStore() async throws -> any DataStore {
        let configuration = try resolvedConfiguration()
        do {
            return try await OpenedStores.store(for: configuration)
        } catch let error as ValidationError {
            throw error
        } catch {
            FileHandle.standardError.write(Data("error: the store cannot be opened: \(error)\n".utf8))
            throw ExitCode(StoreOpening.unavailableExitCode)
        }
    }

    /// The stored directory and one of its teams, for the `list` commands.
    func directory(team identity: String) async throws -> (Directory, Team) {
        let directory = try await openStore().loadDirectory()
        guard let team = directory.team(identity: identity) else { throw ValidationError("no team \(identity)") }
        return (directory, team)
    }

    func admin() async throws -> DirectoryAdmin {
        DirectoryAdmin(store: try await openStore())
    }
}
