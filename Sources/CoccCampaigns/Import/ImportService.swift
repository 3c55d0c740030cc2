public import Foundation
public import Logging
public import ServiceLifecycle

/// Runs importWS: single records at once, file imports as persisted tasks, now or at their
/// `exetime`. A `Service`: it polls for due tasks every `pollInterval` (a cheap indexed query)
/// and stops on graceful shutdown;
/// a task a crash interrupted runs again at the next start (records already imported then
/// count as duplicates, so nothing is doubled).
public final class ImportService: Service, Sendable {
    public struct Settings: Sendable {
        public var policy = FetchPolicy()
        public var maxRows = 1_000_000
        public var batchSize = 1_000
        /// Where downloads wait while they are read; removed after each task.
        public var workDirectory = NSTemporaryDirectory()
        /// How soon a task submitted for now starts.
        public var pollInterval: Duration = .milliseconds(250)
        /// Start a task submitted for now at once, instead of at the next poll. Claiming a task
        /// is one transaction, so the poll and an at-once start never run the same task twice.
        public var startAtOnce = false
        public init() {}
    }

    public let campaigns: CampaignStore
    public let settings: Settings
    let clock: @Sendable () -> Date
    let logger: Logger

    public init(campaigns: CampaignStore, settings: Settings, clock: @escaping @Sendable () -> Date = Date.init, logger: Logger) {
        self.campaigns = campaigns
        self.settings = settings
        self.clock = clock
        self.logger = logger
    }

    public func run() async throws {
        if let requeued = try? campaigns.requeueInterruptedTasks(), requeued > 0 {
            logger.warning("import tasks interrupted by a stop will run again", metadata: ["tasks": "\(requeued)"])
        }
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            await runDueTasks()
            do { try await cancelWhenGracefulShutdown { try await Task.sleep(for: self.settings.pollInterval) } } catch { return }
        }
    }

    /// Runs every task whose time has come; returns them as they ended.
    @discardableResult
    public func runDueTasks() async -> [ImportTask] {
        let due: [(ImportTask, CampaignStore.TaskSecrets)]
        do { due = try campaigns.claimDueTasks(now: clock()) } catch {
            logger.error("cannot read import tasks", metadata: ["error": "\(error)"])
            return []
        }
        var done: [ImportTask] = []
        for (task, secrets) in due { done.append(await execute(task, secrets)) }
        return done
    }

    func execute(_ task: ImportTask, _ secrets: CampaignStore.TaskSecrets) async -> ImportTask {
        var task = task
        var metadata: Logger.Metadata = ["task": "\(task.id)", "team_id": "\(task.teamID)", "campaign": "\(task.campaignID)", "url": "\(task.url)"]
        logger.info("import task started", metadata: metadata)
        let file = (settings.workDirectory as NSString).appendingPathComponent("coccd-import-\(task.id)-\(UUID().uuidString).csv")
        defer { try? FileManager.default.removeItem(atPath: file) }
        let started = ContinuousClock.now
        var fetched = started
        do {
            guard let url = URL(string: secrets.url) else { throw ImportFailure(code: "89", reason: "bad URL") }
            do {
                if url.scheme?.lowercased() == "ftp" {
                    try await FTPFetcher.fetch(url, user: secrets.user, password: secrets.password, policy: settings.policy, to: file)
                } else {
                    try await HTTPFetcher.fetch(url, user: secrets.user, password: secrets.password, policy: settings.policy, to: file)
                }
            } catch let error as FetchError {
                let code = switch error {
                case .notFound: "404"
                case .storage: "88"
                default: "89"
                }
                throw ImportFailure(code: code, reason: error.description)
            }
            fetched = .now
            guard let campaign = try campaigns.campaign(team: task.teamID, id: String(task.campaignID)) else {
                throw ImportFailure(code: "73", reason: "campaign \(task.campaignID) no longer exists")
            }
            try importFile(file, into: campaign, options: secrets.options, task: &task)
            task.state = .done
        } catch let failure as ImportFailure {
            task.state = .failed
            task.error = "BackMsg_\(failure.code): \(failure.reason)"
        } catch {
            task.state = .failed
            task.error = "BackMsg_85: \(error)"
        }
        task.problems.sort { $0.row < $1.row }   // rows refused while reading and while writing, in file order
        task.finishedAt = clock()
        do { try campaigns.finish(task, now: task.finishedAt!) } catch { logger.error("cannot save import task", metadata: ["task": "\(task.id)", "error": "\(error)"]) }
        metadata["fetch_ms"] = "\((fetched - started).milliseconds)"
        metadata["import_ms"] = "\((ContinuousClock.now - fetched).milliseconds)"
        metadata["state"] = "\(task.state.rawValue)"
        metadata["rows"] = "\(task.rowsRead)"
        metadata["imported"] = "\(task.imported)"
        metadata["updated"] = "\(task.updated)"
        metadata["duplicates"] = "\(task.duplicates)"
        metadata["rejected"] = "\(task.rejected)"
        if !task.error.isEmpty { metadata["error"] = "\(task.error)" }
        logger.log(level: task.state == .done ? .info : .warning, "import task ended", metadata: metadata)
        return task
    }
}

/// Why a whole import failed, with the manual's code.
public struct ImportFailure: Error, Equatable, CustomStringConvertible {
    public var code: String
    public var reason: String
    public init(code: String, reason: String) {
        self.code = code
        self.reason = reason
    }
    public var description: String { "BackMsg_\(code): \(reason)" }
}

extension Duration {
    var milliseconds: Int64 { components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000 }
}
