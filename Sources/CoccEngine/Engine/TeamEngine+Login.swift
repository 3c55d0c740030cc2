public import CoccOperations
public import CoccStorage
public import Logging

extension TeamEngine {
    /// login: marks the agent online and signs it in to its static groups.
    ///
    /// Logging in again while logged in answers success with the same `param`, so a desktop
    /// that restarted can carry on; loginCJI renders it with code 3, "already logged in",
    /// which is the only place the manual documents that code.
    public func login(agent: Agent, directory: Directory, logger: Logger) async -> Reply {
        var session = session(of: agent)
        let already = session.loggedIn
        if !already {
            let now = clock()
            session.loggedIn = true
            session.loginAt = now
            for membership in directory.memberships(ofAgent: agent.id)
            where membership.kind == .static && !session.isSignedIn(to: membership.groupID) {
                session.groups.append(.init(groupID: membership.groupID, afterCallWork: .off, workMode: .all, since: now))
            }
            commit(session, logger: logger)
            logger.info("agent logged in", metadata: ["agent": "\(agent.number)", "groups": "\(session.groups.map(\.groupID))"])
        }
        var reply = Reply.success(.loginSucceeded, extra: .init(cjiKey: "param", value: loginParam(agent: agent, directory: directory)))
        if already { reply.cjiCode = 3 }
        await dispatchWaiting()
        return reply
    }

    /// The per-group description login returns, each group ending with `|||`.
    func loginParam(agent: Agent, directory: Directory) -> String {
        let session = session(of: agent)
        var out = ""
        for membership in directory.memberships(ofAgent: agent.id) {
            guard let group = directory.groups[membership.groupID] else { continue }
            let status = session.status(inGroup: group.id)
            out += "agent_group_id=\(group.id)&groupname=\(group.name)&status=\(status.loginWord)"
            out += "&groupadmin=\(membership.isGroupAdmin ? "yes" : "no")&agenttype=\(membership.kind.rawValue)"
            out += "&agentline=\(status == .logout ? "offline" : "online")"
            // No separate permission exists for cleaning up erroneous call records: group admins have it.
            out += "&errorcall=\(membership.isGroupAdmin ? "yes" : "no")&agent_id=\(agent.id)|||"
        }
        return out
    }

    /// logout: signs the agent out of every group and ends its pause and after-call work.
    /// Logging out while logged out succeeds: the agent is in the state it asked for.
    public func logout(agent: Agent, logger: Logger) -> Reply {
        var session = session(of: agent)
        guard session.loggedIn || !session.groups.isEmpty || session.pause != nil else { return .success(.logoutSucceeded) }
        endPause(&session, logger: logger)
        session.loggedIn = false
        session.groups = []
        session.afterCallWorkSince = nil
        session.dnd = false
        commit(session, logger: logger)
        logger.info("agent logged out", metadata: ["agent": "\(agent.number)"])
        return .success(.logoutSucceeded)
    }

    /// setdevice: changes the extension the agent works on. Refused while the agent is
    /// signed in to a dynamic group, as the manual says: check out, set, check in again.
    public func setDevice(agent: Agent, extensionNumber: String, directory: Directory, logger: Logger) -> Reply {
        let exten = extensionNumber.trimmingWhitespace()
        guard !exten.isEmpty else { return .failure(.parameterEmpty) }
        guard directory.hasExtension(team: teamID, number: exten) else { return .failure(.extensionNotFound) }
        var session = session(of: agent)
        let dynamicGroups = Set(directory.memberships(ofAgent: agent.id).filter { $0.kind == .dynamic }.map(\.groupID))
        if session.groups.contains(where: { dynamicGroups.contains($0.groupID) }) {
            return .failure(.checkOutBeforeSettingExtension)
        }
        session.extensionNumber = exten
        commit(session, logger: logger)
        logger.info("extension set", metadata: ["agent": "\(agent.number)", "exten": "\(exten)"])
        return .success(.extensionSet)
    }
}
