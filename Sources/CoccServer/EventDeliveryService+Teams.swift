import CoccEngine
import CoccStorage
import ServiceLifecycle
import Synchronization

extension EventDeliveryService {
    /// One delivery task per team with an event URL, in one task group: a team gains its task
    /// when it gets a URL (the directory is re-read every `pollInterval`), and the task ends when
    /// the team or its URL goes away. Graceful shutdown cancels the group; an event whose POST
    /// was cut short is sent again after the restart (the cursor only moves on a 2xx).
    public func run() async throws {
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                while !Task.isCancelled {
                    for team in self.center.directory.teams.values where !team.eventURL.isEmpty && self.settings.ownsTeam(team.id) {
                        guard self.running.withLock({ $0.insert(team.id).inserted }) else { continue }
                        group.addTask {
                            await self.serve(teamID: team.id)
                            _ = self.running.withLock { $0.remove(team.id) }
                        }
                    }
                    do { try await Task.sleep(for: self.settings.pollInterval) } catch { break }
                }
                group.cancelAll()
            }
        }
    }

    /// The team's delivery loop: deliver, then wait for its next event (woken by the event bus,
    /// or after `pollInterval` at most), or for the end of its backoff.
    func serve(teamID: Int64) async {
        while !Task.isCancelled {
            guard let team = center.directory.teams[teamID], !team.eventURL.isEmpty, settings.ownsTeam(teamID) else { return }
            let cursor = await deliver(team)
            if let cursor {
                await center.eventBus.wait(team: teamID, after: cursor, timeout: settings.pollInterval)
            } else {
                // Backing off, dead-lettered (the CLI may resume it) or no URL: look again soon.
                try? await Task.sleep(for: settings.pollInterval)
            }
        }
    }

    /// Teams that have a delivery task now (for tests and metrics).
    var servedTeams: Set<Int64> { running.withLock { $0 } }
}
