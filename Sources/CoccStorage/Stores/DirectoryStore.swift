/// The directory (teams, accounts, agents, groups, memberships, extensions) as one snapshot.
///
/// ```swift
/// if try await store.directoryRevision() != directory.revision { directory = try await store.loadDirectory() }
/// ```
public protocol DirectoryStore: Sendable {
    /// A number that changes whenever the directory changes, from any process.
    func directoryRevision() async throws -> Int64
    func loadDirectory() async throws -> Directory
    /// Yields soon after the directory changed in any process, where the store can say so
    /// (PostgreSQL's `LISTEN`); nil where it cannot, and the watcher polls ``directoryRevision()``.
    /// A signal is a hint: the watcher still compares revisions.
    func directoryChangeSignals() -> AsyncStream<Void>?
}

extension DirectoryStore {
    public func directoryChangeSignals() -> AsyncStream<Void>? { nil }
}
