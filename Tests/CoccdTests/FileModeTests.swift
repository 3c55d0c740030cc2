import CoccEngine
import CoccProvisioning
import CoccStorage
import CoccStore
import Foundation
import GRDB
import Testing

/// Item 8: the data directory is 0700 and what it keeps 0600, whatever the process umask, and a
/// directory left readable by an older version is tightened when the store opens.
@Suite("files at rest")
struct FileModeTests {
    func mode(_ path: String) throws -> Int {
        try #require(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
    }

    func scratch() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("coccd-modes-\(UUID().uuidString)").path
    }

    @Test
    func aNewDataDirectoryIsPrivate() async throws {
        let dir = scratch() + "/data"
        try DataDirectory.prepare(dir)
        let db = dir + "/coccd.sqlite"
        let store = try SQLiteStore(path: db)
        _ = try await DirectoryAdmin(store: store, rounds: 500).addTeam(identity: "t", name: "T")  // a write: -wal and -shm exist
        #expect(try mode(dir) == 0o700)
        for file in [db, db + "-wal", db + "-shm"] {
            #expect(FileManager.default.fileExists(atPath: file))
            #expect(try mode(file) == 0o600, "\(file)")
        }
        try await store.close()
    }

    @Test
    func anOlderReadableDirectoryIsTightenedOnOpen() async throws {
        let dir = scratch()
        let files = FileManager.default
        let recordings = dir + "/recordings/1/20261201"
        try files.createDirectory(atPath: recordings, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        try files.setAttributes([.posixPermissions: 0o755], ofItemAtPath: dir)
        let recording = recordings + "/0123456789abcdef0123456789abcdef.wav"
        #expect(files.createFile(atPath: recording, contents: Data("RIFF".utf8), attributes: [.posixPermissions: 0o644]))
        let db = dir + "/coccd.sqlite"
        do {
            // As an older version left it: a 0644 database with its WAL.
            #expect(files.createFile(atPath: db, contents: nil, attributes: [.posixPermissions: 0o644]))
            let config = Configuration()
            let queue = try DatabaseQueue(path: db, configuration: config)
            try await queue.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA journal_mode=WAL; CREATE TABLE old (x)") }
            for file in [db, db + "-wal", db + "-shm"] { try files.setAttributes([.posixPermissions: 0o644], ofItemAtPath: file) }
            try queue.close()
        }
        #expect(try mode(db) == 0o644)

        try DataDirectory.prepare(dir)
        let store = try SQLiteStore(path: db)
        #expect(try mode(dir) == 0o700)
        #expect(try mode(dir + "/recordings") == 0o700)
        #expect(try mode(recordings) == 0o700)
        #expect(try mode(recording) == 0o600)
        for file in [db, db + "-wal", db + "-shm"] where files.fileExists(atPath: file) {
            #expect(try mode(file) == 0o600, "\(file)")
        }
        try await store.close()
    }
}
