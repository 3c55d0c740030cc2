public import CoccOperations
public import CoccStorage
public import Logging

extension TeamEngine {
    /// DefaultGroup (a vendor extra): the group the agent's makeCall dials out in when it names
    /// none. Any group the agent belongs to, signed in or not; kept in the agent's session, which
    /// outlives logouts and restarts.
    public func setDefaultGroup(agent: Agent, groupID: String, directory: Directory, logger: Logger) -> Reply {
        let id = groupID.trimmingWhitespace()
        guard !id.isEmpty else { return .failure(.parameterEmpty) }
        // BackMsg_50 (当前团队下无此坐席组, "the current team has no such agent group"): also
        // what the id of another team's group gets, as it is not this team's.
        guard let group = directory.group(team: teamID, id: id) else { return .failure(.noSuchGroupInTeam) }
        // BackMsg_60 ("... or the agent is not in this group").
        guard directory.memberships(ofAgent: agent.id).contains(where: { $0.groupID == group.id }) else {
            return .failure(.groupNotCheckedInOrNotMember)
        }
        var session = session(of: agent)
        session.defaultGroupID = group.id
        // BackMsg_10/14 (切换队列状态失败/成功, "switching the queue status failed/succeeded"): the
        // table has no code for a default group; these are its pair for changing an agent's group
        // settings, and what queueAction answers for the same storage failure.
        commit(session, logger: logger)
        logger.info("default group set", metadata: ["agent": "\(agent.number)", "group": "\(group.id)"])
        return .success(.queueSwitchSucceeded)
    }

    /// The group of an outbound call that names none: the default group while the agent is
    /// signed in to it, else the first group it signed in to (as before DefaultGroup existed).
    func outboundGroup(of session: AgentSession) -> Int64 {
        if let id = session.defaultGroupID, session.isSignedIn(to: id) { return id }
        return session.groups[0].groupID
    }
}
