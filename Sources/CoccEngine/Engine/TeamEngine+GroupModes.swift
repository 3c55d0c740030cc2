public import CoccOperations
public import CoccStorage
public import Foundation
public import Logging

extension TeamEngine {
    /// The signed-in groups a request names; all signed-in groups for an empty list.
    /// Nil when one of them is unknown, not the agent's, or not signed in.
    private func targetGroups(_ list: String, session: AgentSession, directory: Directory) -> [Int64]? {
        let ids = GroupList.parse(list)
        if ids.isEmpty { return session.groups.map(\.groupID) }
        var out: [Int64] = []
        for id in ids {
            guard let group = directory.group(team: teamID, id: id), session.isSignedIn(to: group.id) else { return nil }
            out.append(group.id)
        }
        return out
    }

    /// acwAction: sets when the listed (or all) signed-in groups put the agent into after-call work.
    /// All or nothing: one group that is not signed in refuses the whole request (BackMsg_60).
    public func setAfterCallWorkMode(
        agent: Agent, mode: AfterCallWorkMode, list: String, pushEvent: Bool = false, directory: Directory,
        logger: Logger
    ) -> Reply {
        var session = session(of: agent)
        guard session.loggedIn, !session.groups.isEmpty else { return .failure(.notCheckedIn) }
        guard let targets = targetGroups(list, session: session, directory: directory) else {
            return .failure(.groupNotCheckedInOrNotMember)
        }
        for i in session.groups.indices where targets.contains(session.groups[i].groupID) {
            session.groups[i].afterCallWork = mode
        }
        commit(session, logger: logger)
        logger.info("acw mode set", metadata: ["agent": "\(agent.number)", "mode": "\(mode.rawValue)", "groups": "\(targets)"])
        if pushEvent {
            notify(mode == .afterRinging ? .acwring : mode == .afterAnswer ? .acwanswer : .acwoff, agent: agent, groups: targets)
        }
        return .success(.afterCallWorkModeSwitched)
    }

    /// acwOff: ends the agent's after-call work (BackMsg_90 when there is none).
    public func endAfterCallWork(agent: Agent, logger: Logger) async -> Reply {
        var session = session(of: agent)
        guard session.afterCallWorkSince != nil else { return .failure(.notInAfterCallWork) }
        session.afterCallWorkSince = nil
        commit(session, logger: logger)
        logger.info("acw ended", metadata: ["agent": "\(agent.number)"])
        await dispatchWaiting()
        return .success(.afterCallWorkEnded)
    }

    /// workwayAction: sets which calls the listed (or all) signed-in groups offer the agent.
    public func setWorkMode(agent: Agent, mode: WorkMode, list: String, pushEvent: Bool = false, directory: Directory, logger: Logger) async
        -> Reply
    {
        var session = session(of: agent)
        guard session.loggedIn, !session.groups.isEmpty,
            let targets = targetGroups(list, session: session, directory: directory)
        else { return .failure(.workModeSwitchFailed) }
        for i in session.groups.indices where targets.contains(session.groups[i].groupID) {
            session.groups[i].workMode = mode
        }
        commit(session, logger: logger)
        logger.info("work mode set", metadata: ["agent": "\(agent.number)", "mode": "\(mode.rawValue)", "groups": "\(targets)"])
        if pushEvent {
            notify(mode == .all ? .workwayall : mode == .dialin ? .workwaydialin : .workwaydialout, agent: agent, groups: targets)
        }
        await dispatchWaiting()
        return .success(.workModeSwitched)
    }
}

extension TeamEngine {
    /// Ends after-call work that has lasted `limit` or longer (the configuration's ACW time
    /// limit), then offers waiting calls to the agents it freed. Returns how many it ended.
    public func expireAfterCallWork(olderThan limit: TimeInterval) async -> Int {
        let now = clock()
        var ended = 0
        for (id, var session) in sessions {
            guard let since = session.afterCallWorkSince, now.timeIntervalSince(since) >= limit else { continue }
            session.afterCallWorkSince = nil
            commit(session, logger: callLogger)
            ended += 1
            callLogger.info("after-call work ended by its time limit", metadata: ["agent_id": "\(id)", "seconds": "\(Int(limit))"])
        }
        if ended > 0 { await dispatchWaiting() }
        return ended
    }
}
