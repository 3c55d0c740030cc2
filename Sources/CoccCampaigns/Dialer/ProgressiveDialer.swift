public import CoccEngine
import CoccOperations
public import CoccStorage
public import Foundation
public import Logging
public import ServiceLifecycle

/// Works the pre-dial lists of running progressive campaigns: whenever an agent of the
/// campaign's group is idle with work mode `dialout` or `all`, it takes the next entry
/// (priority, then dial time) and calls through makeCall, the agent's phone first, then the
/// customer, with `modeltype=Campaign`, `model_id=<campaign>` and the entry in `userdata`.
/// When the call record appears, the outcome goes on the entry and the customer: answered is
/// done; busy, no answer and failed are retried after `retryDelay`, up to `maxAttempts`.
///
/// A `Service`: one pass per `interval`, stopping on graceful shutdown. Everything it knows is
/// in the store, so a restart picks up where it was.
public struct ProgressiveDialer: Service {
    public struct Settings: Sendable {
        public var interval: Duration = .seconds(1)
        public var maxAttempts = 3
        public var retryDelay: TimeInterval = 300
        /// A dial whose call never ended (lost at a crash) is released after this long.
        public var staleAfter: TimeInterval = 3_600
        public init() {}
    }

    let center: CallCenter
    let campaigns: CampaignStore
    let settings: Settings
    let logger: Logger

    public init(center: CallCenter, campaigns: CampaignStore, settings: Settings = Settings(), logger: Logger) {
        self.center = center
        self.campaigns = campaigns
        self.settings = settings
        self.logger = logger
    }

    public func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            await pass()
            do { try await cancelWhenGracefulShutdown { try await Task.sleep(for: self.settings.interval) } } catch { return }
        }
    }

    /// One pass: settle finished dials, then start new ones. Returns how many dials started.
    @discardableResult
    public func pass() async -> Int {
        do {
            try await settleFinishedDials()
            var started = 0
            // On a node of a cluster, a campaign is dialled by the node that runs its team.
            let clustered = center.admission != nil
            for campaign in try await campaigns.campaigns() where campaign.state == .running && campaign.mode == .progressive {
                if clustered && center.loadedEngine(team: campaign.teamID) == nil { continue }
                started += try await dial(campaign)
            }
            return started
        } catch {
            logger.error("dialer pass failed", metadata: ["error": "\(error)"])
            return 0
        }
    }

    func dial(_ campaign: Campaign) async throws -> Int {
        let directory = center.directory
        let engine = try await center.engine(team: campaign.teamID)
        var started = 0
        for membership in directory.memberships(ofGroup: campaign.groupID) {
            guard let agent = directory.agents[membership.agentID], let session = await engine.sessionSnapshot(agentID: agent.id),
                let signIn = session.signIn(of: campaign.groupID), signIn.workMode != .dialin,
                session.status(inGroup: campaign.groupID) == .idle
            else { continue }
            let now = center.clock()
            guard
                let (entry, marker) = try await campaigns.claimNextEntry(
                    campaign: campaign.id, agent: agent.number, now: now,
                    marker: { id, attempt in
                        "predial_id=\(id)&campaign_id=\(campaign.id)&attempt=\(attempt)"
                    })
            else { break }
            let reply = await engine.makeCall(
                agent: agent,
                request: OutboundCallRequest(
                    target: .external(entry.phone), groupID: String(campaign.groupID), modeltype: "Campaign", modelID: String(campaign.id),
                    userdata: marker, agentExtension: "", callerID: "", trunk: ""), directory: directory, logger: logger)
            if reply.isSuccess {
                started += 1
                logger.info(
                    "campaign dial",
                    metadata: [
                        "campaign": "\(campaign.id)", "entry": "\(entry.id)", "agent": "\(agent.number)", "attempt": "\(entry.attempts)",
                    ])
            } else {
                // The agent became busy in between: the entry waits for the next pass.
                try await campaigns.releaseEntry(id: entry.id, retryAt: now)
                logger.debug("campaign dial not started", metadata: ["entry": "\(entry.id)", "reply": "\(reply)"])
            }
        }
        return started
    }

    func settleFinishedDials() async throws {
        let now = center.clock()
        for (entry, team, marker, since) in try await campaigns.dialingEntries() {
            // The engine queues a call's record when the call ends (StoreJournal): wait for the
            // team's writes so that a call that has ended is seen as ended.
            _ = await center.flushWrites(team: team, timeout: .seconds(5))
            guard let disposition = try await campaigns.disposition(team: team, marker: marker) else {
                if now.timeIntervalSince(since) > settings.staleAfter {
                    try await campaigns.releaseEntry(id: entry.id, retryAt: now)
                    logger.warning("campaign dial lost (no call record); released", metadata: ["entry": "\(entry.id)"])
                }
                continue
            }
            switch disposition {
            case "answered":
                try await campaigns.settle(
                    entry: entry, result: disposition, status: .answered, customerStatus: CustomerStatus.answered.rawValue, retryAt: nil,
                    now: now)
            case "busy", "noanswer", "failed":
                let retry = entry.attempts < settings.maxAttempts
                try await campaigns.settle(
                    entry: entry, result: disposition, status: retry ? .pending : .failed, customerStatus: disposition,
                    retryAt: retry ? now.addingTimeInterval(settings.retryDelay) : nil, now: now)
            default:
                // The agent did not answer or hung up before the customer was dialled: the
                // customer was not called, so the attempt does not count.
                try await campaigns.releaseEntry(id: entry.id, retryAt: now.addingTimeInterval(min(settings.retryDelay, 30)))
            }
            logger.info(
                "campaign dial ended", metadata: ["entry": "\(entry.id)", "result": "\(disposition)", "attempt": "\(entry.attempts)"])
        }
    }
}
