/// The directory (teams, accounts, agents, groups, memberships, extensions) as one snapshot.
///
/// ```swift
/// if try store.directoryRevision() != directory.revision { directory = try store.loadDirectory() }
/// ```
public protocol DirectoryStore: Sendable {
    /// A number that changes whenever the directory changes, from any process.
    func directoryRevision() throws -> Int64
    func loadDirectory() throws -> Directory
}
