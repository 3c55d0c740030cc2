public import CoccOperations
public import CoccStorage
import Synchronization

/// The agents' sessions of a team as its engine last published them, tagged with the version
/// of ``ChangeSignal`` they were current at, so a status read can be answered without entering
/// the team's actor (a hop to another thread and back, most of what agentStatus cost).
///
/// A read is answered from the board only while nothing changed since it was published: the
/// engine moves its ``ChangeSignal`` in the same step as every change (before any answer to
/// the operation that made it), so a client that changed something and then asks reads its
/// change. When the board is stale the read goes to the actor, which publishes it anew: a
/// publish shares the dictionary's storage, and the copy happens only at the next change, once.
///
/// ```swift
/// if let sessions = engine.board.sessions(ifCurrent: engine.changes.version) { ... }   // no await
/// ```
public final class SessionBoard: Sendable {
    private struct Published {
        var version: UInt64
        var sessions: [Int64: AgentSession]
    }

    private let published = Mutex<Published?>(nil)

    public init() {}

    /// Makes `sessions` the board, as current at `version`.
    func publish(_ sessions: [Int64: AgentSession], version: UInt64) {
        published.withLock { $0 = Published(version: version, sessions: sessions) }
    }

    /// The published sessions when they were published at `version`; nil when stale or never published.
    public func sessions(ifCurrent version: UInt64) -> [Int64: AgentSession]? {
        published.withLock { p in
            guard let p, p.version == version else { return nil }
            return p.sessions
        }
    }
}

extension TeamEngine {
    /// Publishes the sessions as they are now, for reads that skip the actor.
    func publishBoard() {
        board.publish(sessions, version: changes.version)
    }

    /// agentStatus without entering the actor, from the board; nil when the board is stale
    /// (then ``agentStatus(agent:directory:)`` answers, and publishes it again).
    public nonisolated func agentStatusFromBoard(agent: Agent, directory: Directory) -> Reply? {
        guard let sessions = board.sessions(ifCurrent: changes.version) else { return nil }
        return Self.agentStatusReply(session: sessions[agent.id], agent: agent, directory: directory)
    }

    /// agentgroupStatus without entering the actor, from the board; nil when the board is stale.
    public nonisolated func groupStatusFromBoard(group: AgentGroup, filter: StatusFilter, directory: Directory) -> Reply? {
        guard let sessions = board.sessions(ifCurrent: changes.version) else { return nil }
        return Self.groupStatusReply(group: group, filter: filter, directory: directory) { sessions[$0.id] }
    }
}
