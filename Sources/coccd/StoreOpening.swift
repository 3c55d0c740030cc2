import CoccStore
import Foundation

enum ProcessEnvironment {
    static func value(_ name: String) -> String? { ProcessInfo.processInfo.environment[name] }
    static var all: [String: String] { ProcessInfo.processInfo.environment }
}

extension DataOptions {
    /// Opens (creating and migrating when needed) the store in the data directory.
    func openStore() throws -> SQLiteStore {
        try FileManager.default.createDirectory(atPath: resolved, withIntermediateDirectories: true)
        return try SQLiteStore(path: (resolved as NSString).appendingPathComponent("coccd.sqlite"))
    }

    func admin() throws -> DirectoryAdmin {
        DirectoryAdmin(store: try openStore())
    }
}
