public import Foundation

/// Outbound campaigns: customer packages, campaigns, custom fields, customers, the pre-dial
/// list and import tasks. Each import batch is one transaction: a storage error leaves none of
/// it; per-record problems are returned, not thrown.
///
/// ```swift
/// let package = try await store.createPackage(team: 1, name: "leads", master: false)
/// let campaign = try await store.createCampaign(team: 1, name: "spring", groupID: 3, packageID: package, mode: .progressive)
/// ```
public protocol CampaignRepository: Sendable {
    // Provisioning.
    func createPackage(team: Int64, name: String, master: Bool) async throws -> Int64
    func packages(team: Int64) async throws -> [CustomerPackage]
    /// A package by name or id, within the team.
    func package(team: Int64, name: String) async throws -> CustomerPackage?
    func createCampaign(team: Int64, name: String, groupID: Int64, packageID: Int64, mode: Campaign.Mode) async throws -> Int64
    /// The team's campaigns, or every team's when `team` is nil.
    func campaigns(team: Int64?) async throws -> [Campaign]
    /// A campaign by id (`model_id`) or name, within the team.
    func campaign(team: Int64, id: String) async throws -> Campaign?
    func setState(campaign: Int64, _ state: Campaign.State) async throws
    func addField(team: Int64, name: String, cn: String, en: String) async throws
    func fields(team: Int64) async throws -> CustomerFields
    func allowsAgentImports(team: Int64) async throws -> Bool
    func setAllowsAgentImports(team: Int64, _ allowed: Bool) async throws

    // Customers and the pre-dial list.
    func customers(package: Int64, limit: Int) async throws -> [Customer]
    func customer(id: Int64) async throws -> Customer?
    func setCustomerStatus(id: Int64, _ status: CustomerStatus) async throws
    func predial(campaign: Int64, limit: Int) async throws -> [PredialEntry]
    func importBatch(campaign: Campaign, records: [ImportRecord], options: ImportOptions, now: Date) async throws
        -> [Result<RecordOutcome, RowProblem>]

    // The dialer.
    /// Takes the campaign's next entry (priority, then dial time, then arrival) whose time has
    /// come, and marks it dialing for `agent` under `marker` (the call's userdata).
    func claimNextEntry(campaign: Int64, agent: String, now: Date, marker: @Sendable (Int64, Int) -> String) async throws -> (
        PredialEntry, String
    )?
    /// Puts an entry back as it was before a dial that never started.
    func releaseEntry(id: Int64, customerStatus: String, retryAt: Date) async throws
    /// Entries being dialled, with the call's marker and when the dial started.
    func dialingEntries() async throws -> [(entry: PredialEntry, teamID: Int64, marker: String, since: Date)]
    /// How the campaign call with this marker ended, once its call record exists.
    func disposition(team: Int64, marker: String) async throws -> String?
    /// Records a finished dial on the entry and the customer.
    func settle(entry: PredialEntry, result: String, status: PredialEntry.Status, customerStatus: String, retryAt: Date?, now: Date)
        async throws

    // Import tasks.
    /// Stores a task: `queued` when it is for now, else `scheduled`. The URL is stored without
    /// its userinfo; credentials written in it are kept with the others (when those are empty),
    /// which are cleared once the task ends.
    func createTask(
        team: Int64, campaign: Int64, source: String, url: URL, user: String, password: String, runAt: Date,
        queued: Bool, options: ImportOptions, now: Date
    ) async throws -> Int64
    func task(id: Int64) async throws -> ImportTask?
    func tasks(team: Int64, limit: Int) async throws -> [ImportTask]
    /// Due scheduled tasks join the queue; then the oldest queued one is claimed (`running`),
    /// atomically, so two callers never claim the same. `teams`: only tasks of these teams (a
    /// node of a cluster runs the imports of the teams it owns); nil: any team.
    func claimNextTask(now: Date, teams: [Int64]?) async throws -> (ImportTask, TaskSecrets)?
    /// Tasks a crash or a stop left running go back to the queue (only the team's, when
    /// `teamID` is given: a cluster node that takes a team over); answers how many.
    func requeueInterruptedTasks(teamID: Int64?) async throws -> Int
    /// Imports one batch of a task and saves the task's progress in the same transaction.
    func importBatch(
        campaign: Campaign, records: [ImportRecord], options: ImportOptions, now: Date, task: ImportTask, through row: Int
    ) async throws -> ImportTask
    func finish(_ task: ImportTask, now: Date) async throws
}

extension CampaignRepository {
    public func campaigns() async throws -> [Campaign] { try await campaigns(team: nil) }
    public func customers(package: Int64) async throws -> [Customer] { try await customers(package: package, limit: 1_000) }
    public func predial(campaign: Int64) async throws -> [PredialEntry] { try await predial(campaign: campaign, limit: 1_000) }
    public func tasks(team: Int64) async throws -> [ImportTask] { try await tasks(team: team, limit: 50) }

    public func releaseEntry(id: Int64, retryAt: Date) async throws {
        try await releaseEntry(id: id, customerStatus: CustomerStatus.new.rawValue, retryAt: retryAt)
    }

    public func createTask(
        team: Int64, campaign: Int64, source: String, url: URL, user: String, password: String, runAt: Date, options: ImportOptions,
        now: Date
    ) async throws -> Int64 {
        try await createTask(
            team: team, campaign: campaign, source: source, url: url, user: user, password: password, runAt: runAt, queued: false,
            options: options, now: now)
    }
}

/// Why a campaign operation was refused.
public enum CampaignFailure: Error, CustomStringConvertible, Equatable {
    case notFound(String)
    case invalid(String)
    /// A package or campaign of that name is already in the team (every store says so the same
    /// way, not with its own constraint error).
    case duplicate(String)
    public var description: String {
        switch self {
        case .notFound(let what): return "\(what) not found"
        case .duplicate(let what): return "\(what) already exists"
        case .invalid(let why): return why
        }
    }
}

extension CampaignRepository {
    /// Any team's next task (one node).
    public func claimNextTask(now: Date) async throws -> (ImportTask, TaskSecrets)? { try await claimNextTask(now: now, teams: nil) }
    /// Every team's interrupted tasks (one node, at start).
    public func requeueInterruptedTasks() async throws -> Int { try await requeueInterruptedTasks(teamID: nil) }
}
