import ArgumentParser
import CoccEngine
import CoccStorage
import CoccStore
import Foundation

enum ProcessEnvironment {
    static func value(_ name: String) -> String? { ProcessInfo.processInfo.environment[name] }
    static var all: [String: String] { ProcessInfo.processInfo.environment }
}

extension DataOptions {
    /// Opens (creating and migrating when needed) the store in the data directory.
    func openStore() throws -> SQLiteStore {
        try Self.openStore(in: resolved)
    }

    /// The store file `coccd.sqlite` in `directory`, which is created (0700) when missing; the
    /// directory and what is in it are made private to this user (README: "Files at rest").
    static func openStore(in directory: String) throws -> SQLiteStore {
        DataDirectory.restrictNewFiles()
        try DataDirectory.prepare(directory)
        return try SQLiteStore(path: (directory as NSString).appendingPathComponent("coccd.sqlite"))
    }

    /// The stored directory and one of its teams, for the `list` commands.
    func directory(team identity: String) throws -> (Directory, Team) {
        let directory = try openStore().loadDirectory()
        guard let team = directory.team(identity: identity) else { throw ValidationError("no team \(identity)") }
        return (directory, team)
    }

    func admin() throws -> DirectoryAdmin {
        DirectoryAdmin(store: try openStore())
    }
}
