public import CoccStorage
public import Foundation
public import Logging
public import ServiceLifecycle

/// Runs importWS: single records at once, file imports as persisted tasks, now or at their
/// `exetime`. File tasks go through ONE worker per server, one task at a time: a few large or
/// hostile files cannot take the server's memory and CPU from every team at once. Tasks wait
/// as `queued`. A `Service`: it wakes when a task is submitted for now, polls every
/// `pollInterval` for scheduled tasks that came due (a cheap indexed query), and stops on
/// graceful shutdown. Each batch saves the task's progress with the batch, so a task a crash
/// interrupted continues after its last saved row with its saved counts.
public final class ImportService: Service, Sendable {
    public struct Settings: Sendable {
        public var policy = FetchPolicy()
        public var maxRows = 1_000_000
        public var batchSize = 1_000
        /// Where downloads wait while they are read; removed after each task.
        public var workDirectory = NSTemporaryDirectory()
        /// How soon a scheduled task that came due starts.
        public var pollInterval: Duration = .milliseconds(250)
        /// Wake the worker when a task is submitted for now, instead of at its next poll.
        public var startAtOnce = false
        /// Caps on one CSV row (`importMaxFieldsPerRow`, `importMaxRowBytes`).
        public var csvLimits = CSVReader.Limits()
        /// On a node of a cluster: the leases this node holds. Only those teams' tasks are
        /// claimed here, each run under its team's fence (a task whose team moves away stops at
        /// its next batch, and the new owner continues it from its saved row); the new owner
        /// requeues a team's interrupted tasks when it takes the team. nil: one node, every team.
        public var leasesHere: (@Sendable () -> [StoreFence])?
        public init() {}
    }

    public let campaigns: CampaignStore
    public let settings: Settings
    let clock: @Sendable () -> Date
    let logger: Logger
    /// One task at a time, whoever drains the queue.
    let gate = SerialGate()
    let doorbell = Doorbell()

    public init(campaigns: CampaignStore, settings: Settings, clock: @escaping @Sendable () -> Date = Date.init, logger: Logger) {
        self.campaigns = campaigns
        self.settings = settings
        self.clock = clock
        self.logger = logger
    }

    /// The worker.
    public func run() async throws {
        if settings.leasesHere == nil, let requeued = try? await campaigns.requeueInterruptedTasks(), requeued > 0 {
            logger.warning("import tasks interrupted by a stop continue from their saved row", metadata: ["tasks": "\(requeued)"])
        }
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            await runDueTasks()
            // A stop cancels the wait; the loop's condition then ends the worker.
            await cancelWhenGracefulShutdown { await self.doorbell.wait(timeout: self.settings.pollInterval) }
        }
    }

    /// Runs queued tasks and those whose time has come, one at a time, until none is left;
    /// returns them as they ended. Waits for a drain already under way.
    @discardableResult
    public func runDueTasks() async -> [ImportTask] {
        await gate.run {
            var done: [ImportTask] = []
            while !Task.isShuttingDownGracefully {
                let next: (ImportTask, TaskSecrets)?
                let leases = self.settings.leasesHere?()
                if let leases, leases.isEmpty { break }
                do { next = try await self.campaigns.claimNextTask(now: self.clock(), teams: leases?.map(\.teamID)) } catch {
                    self.logger.error("cannot read import tasks", metadata: ["error": "\(error)"])
                    break
                }
                guard let (task, secrets) = next else { break }
                let fence = leases?.first { $0.teamID == task.teamID }
                done.append(await StoreFence.$current.withValue(fence) { await self.execute(task, secrets) })
            }
            return done
        }
    }

    func execute(_ task: ImportTask, _ secrets: TaskSecrets) async -> ImportTask {
        var task = task
        var metadata: Logger.Metadata = [
            "task": "\(task.id)", "team_id": "\(task.teamID)", "campaign": "\(task.campaignID)", "url": "\(task.url)",
        ]
        logger.info("import task started", metadata: metadata)
        let file = (settings.workDirectory as NSString).appendingPathComponent("coccd-import-\(task.id)-\(UUID().uuidString).csv")
        defer { try? FileManager.default.removeItem(atPath: file) }
        let started = ContinuousClock.now
        var fetched = started
        do {
            // Tasks stored before userinfo was split off may still carry it: it is used, never passed on.
            let split = URL(string: secrets.url).map(URLUserinfo.split)
            guard let split, let url = URL(string: split.url) else { throw ImportFailure(code: "89", reason: "bad URL") }
            let (user, password) =
                secrets.user.isEmpty && secrets.password.isEmpty ? (split.user, split.password) : (secrets.user, secrets.password)
            if task.progressRow > 0 {
                logger.info(
                    "import task continues after its saved row", metadata: metadata.merging(["row": "\(task.progressRow)"]) { a, _ in a })
            }
            do {
                if url.scheme?.lowercased() == "ftp" {
                    try await FTPFetcher.fetch(url, user: user, password: password, policy: settings.policy, to: file)
                } else {
                    try await HTTPFetcher.fetch(url, user: user, password: password, policy: settings.policy, to: file)
                }
            } catch let error as FetchError {
                let code =
                    switch error {
                    case .notFound: "404"
                    case .storage: "88"
                    default: "89"
                    }
                throw ImportFailure(code: code, reason: error.description)
            }
            fetched = .now
            guard let campaign = try await campaigns.campaign(team: task.teamID, id: String(task.campaignID)) else {
                throw ImportFailure(code: "73", reason: "campaign \(task.campaignID) no longer exists")
            }
            try await importFile(file, into: campaign, options: secrets.options, task: &task)
            task.state = .done
        } catch is ImportInterrupted {
            // A graceful stop between batches: the task stays running, is queued again at the
            // next start, and continues after its saved row.
            logger.notice("import task paused by a stop", metadata: metadata.merging(["row": "\(task.progressRow)"]) { a, _ in a })
            return task
        } catch let failure as ImportFailure {
            task.state = .failed
            task.error = "BackMsg_\(failure.code): \(failure.reason)"
        } catch {
            task.state = .failed
            task.error = "BackMsg_85: \(error)"
        }
        task.problems.sort { $0.row < $1.row }  // rows refused while reading and while writing, in file order
        task.finishedAt = clock()
        do { try await campaigns.finish(task, now: task.finishedAt!) } catch {
            logger.error("cannot save import task", metadata: ["task": "\(task.id)", "error": "\(error)"])
        }
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

/// A graceful shutdown came between two batches.
struct ImportInterrupted: Error {}

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
