public import CoccEngine
import CoccOperations
public import CoccStorage
public import Foundation
public import Logging
public import ServiceLifecycle

/// Keeps the event log to the retention window (`eventRetentionHours`, default 24): a page
/// that reconnects within the window resumes from its cursor with nothing lost or repeated;
/// one whose cursor points before the window gets a `resync` message instead
/// (``EventRetention/resyncMessage(eventid:)``). Events a backend has not yet accepted are
/// never removed, whatever their age.
///
/// A `Service`: prunes at start and then every `interval`, and stops on graceful shutdown.
public struct EventRetentionService: Service {
    let center: CallCenter
    let store: any DataStore
    let retention: TimeInterval
    let interval: Duration
    let logger: Logger

    public init(center: CallCenter, store: any DataStore, retention: TimeInterval, interval: Duration = .seconds(60), logger: Logger) {
        self.center = center
        self.store = store
        self.retention = retention
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            await prune(now: center.clock())  // the clock events are stamped with
            do { try await cancelWhenGracefulShutdown { try await Task.sleep(for: self.interval) } } catch { return }
        }
    }

    /// One pass; returns how many events were removed.
    @discardableResult
    public func prune(now: Date) async -> Int {
        do {
            var held: [Int64: Int64] = [:]
            for team in center.directory.teams.values where !team.eventURL.isEmpty {
                held[team.id] = try await store.deliveryState(teamID: team.id).cursor
            }
            let removed = try await store.pruneEvents(before: now.addingTimeInterval(-retention), heldFrom: held)
            if removed > 0 {
                logger.info("event log pruned", metadata: ["removed": "\(removed)", "retention_hours": "\(retention / 3600)"])
            }
            return removed
        } catch {
            logger.error("event log pruning failed", metadata: ["error": "\(error)"])
            return 0
        }
    }
}

/// How readers of the event log recognise a cursor from before the retention window.
public enum EventRetention {
    /// True when events after `cursor` were already removed: resuming from it would silently
    /// skip them, so the reader is told to reload its state instead.
    public static func isStale(cursor: Int64, teamID: Int64, store: any EngineStore) async throws -> Bool {
        let first = try await store.firstEventID(teamID: teamID)
        return first > 0 && cursor < first - 1
    }

    /// ``isStale(cursor:teamID:store:)``, answered from memory when the live edge of the log
    /// reaches the cursor: the events after it are all there, so none was pruned unseen.
    public static func isStale(cursor: Int64, teamID: Int64, center: CallCenter) async throws -> Bool {
        if center.eventBus.covers(team: teamID, after: cursor) { return false }
        return try await isStale(cursor: cursor, teamID: teamID, store: center.store)
    }

    /// The message a stale reader receives, in the chapter-6 `key=value&` form so that
    /// `sonAccept` and every other consumer parse it like any event. `eventid` is the cursor to
    /// continue from (the team's newest event): after reloading state (agentStatus, ...) the
    /// page receives what happens next.
    public static func resyncMessage(eventid: Int64) -> String {
        EventLine.render(
            [("source", "SYSTEM"), ("event", "resync"), ("reason", "retention"), ("eventid", String(eventid))], trailingSeparator: true)
    }
}
