/// Everything coccd keeps, as one value a server opens at start: the engine's concerns
/// (``EngineStore``), backend delivery and the campaigns. `CoccStore` implements it on SQLite,
/// `CoccPostgres` on PostgreSQL.
///
/// The concerns are separate protocols so that a part of the server asks only for what it
/// uses (the engine never sees campaigns or delivery cursors), and so that every implementation
/// is held to the same contract by one conformance suite. Nothing here names a SQL type.
///
/// ```swift
/// let store: any DataStore = try SQLiteStore(path: "data/coccd.sqlite")
/// let center = try await CallCenter(store: store, switch: pbx)
/// ```
public protocol DataStore: DirectoryStore, DirectoryProvisioningStore, SessionStore, EventLogStore, CallStore, DeliveryStore,
    CampaignRepository
{
    /// What this store is, for logs and `/health`: "sqlite /var/lib/coccd/coccd.sqlite",
    /// "postgresql db.example:5432/coccd". Never a credential.
    var summary: String { get }
    /// Returns when the store answers a trivial query; throws why not (for `/health`).
    func check() async throws
    /// Releases the store's files or connections; call once, at shutdown.
    func close() async throws
    /// Team leases, where several nodes can share this store (PostgreSQL); nil where they
    /// cannot (SQLite: one process owns its file).
    var leases: (any LeaseStore)? { get }
    /// Yields when another process appended to an event log (PostgreSQL's `NOTIFY`), so that
    /// its long-polls and streams wake; nil where only this process appends.
    func eventAppendSignals() -> AsyncStream<EventAppendSignal>?
}

extension DataStore {
    public var leases: (any LeaseStore)? { nil }
    public func eventAppendSignals() -> AsyncStream<EventAppendSignal>? { nil }
}

/// What a team's engine reads and writes.
public typealias EngineStore = DirectoryStore & SessionStore & EventLogStore & CallStore
