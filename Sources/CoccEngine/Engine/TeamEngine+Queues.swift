public import CoccOperations
public import CoccStorage
public import Logging

extension TeamEngine {
    /// queueAction: checks the agent in to (`checkIn`) or out of the listed groups, or all of
    /// its groups when the list is empty. The message lists `groupid:result` per group.
    ///
    /// Checking in also logs the agent in: desktops that skip `login` still work.
    public func queueAction(
        agent: Agent, checkIn: Bool, list: String, deviceExten: String, pushEvent: Bool = false, directory: Directory, logger: Logger
    ) async -> Reply {
        let memberships = directory.memberships(ofAgent: agent.id)
        var ids = GroupList.parse(list)
        if ids.isEmpty {
            guard !memberships.isEmpty else { return .failure(.noGroupToCheckIn) }
            ids = memberships.map { String($0.groupID) }
        }
        var session = session(of: agent)
        let exten = deviceExten.trimmingWhitespace()
        if !exten.isEmpty {
            guard directory.hasExtension(team: teamID, number: exten) else { return .failure(.extensionNotFound) }
            session.extensionNumber = exten
        }
        let now = clock()
        var results: [String] = []
        var anySuccess = false
        var changed: [Int64] = []
        for id in ids {
            guard let group = directory.group(team: teamID, id: id) else {
                results.append("\(id):NotFoundGroup")
                continue
            }
            if checkIn {
                if !memberships.contains(where: { $0.groupID == group.id }) {
                    results.append("\(id):NotInGroup")
                } else if session.isSignedIn(to: group.id) {
                    results.append("\(id):CheckedIn")
                } else {
                    session.groups.append(.init(groupID: group.id, afterCallWork: .off, workMode: .all, since: now))
                    results.append("\(id):success")
                    anySuccess = true
                    changed.append(group.id)
                }
            } else {
                if session.isSignedIn(to: group.id) {
                    session.groups.removeAll { $0.groupID == group.id }
                    results.append("\(id):success")
                    anySuccess = true
                    changed.append(group.id)
                } else {
                    results.append("\(id):NotChecked")
                }
            }
        }
        if anySuccess {
            if checkIn {
                session.loggedIn = true
                if session.loginAt == nil { session.loginAt = now }
            } else if session.groups.isEmpty {
                // Out of every group the agent is no longer working: a pause would count on.
                endPause(&session, logger: logger)
                session.afterCallWorkSince = nil
            }
        }
        session.groups.sort { $0.groupID < $1.groupID }
        commit(session, logger: logger)
        logger.info("queueAction", metadata: ["agent": "\(agent.number)", "checkIn": "\(checkIn)", "results": "\(results)"])
        if pushEvent { notify(checkIn ? .login : .logoff, agent: agent, groups: changed) }
        if anySuccess && checkIn { await dispatchWaiting() }
        return Reply(code: anySuccess ? 1 : 3, message: .data(results.joined(separator: ",")))
    }

    /// queuePause: pauses (`pause`) or unpauses every signed-in group of the agent.
    /// A non-empty `dnd` puts the extension into do-not-disturb as well (or takes it out).
    /// Unpausing an agent that is not paused succeeds: it is ready, as asked.
    public func queuePause(agent: Agent, pause: Bool, reason: String, dnd: String, pushEvent: Bool = false, logger: Logger) async -> Reply {
        var session = session(of: agent)
        guard session.loggedIn, !session.groups.isEmpty else { return .failure(.notCheckedIn) }
        let syncExtension = !dnd.trimmingWhitespace().isEmpty
        if pause {
            let reason = reason.trimmingWhitespace()
            guard !reason.isEmpty else { return .failure(.parameterEmpty) }
            guard session.pause == nil else { return .failure(.alreadyPaused) }
            let (store, teamID, agentID, now) = (self.store, self.teamID, agent.id, clock())
            journal.enqueue("pause start \(agentID)") {
                try await store.startPause(teamID: teamID, agentID: agentID, reason: reason, at: now)
            }
            session.pause = .init(reason: reason, since: now)
            if syncExtension { session.dnd = true }
        } else {
            endPause(&session, logger: logger)
            if syncExtension { session.dnd = false }
        }
        commit(session, logger: logger)
        logger.info(
            "queuePause", metadata: ["agent": "\(agent.number)", "pause": "\(pause)", "reason": "\(reason)", "dnd": "\(session.dnd)"])
        if pushEvent {
            notify(
                pause ? .paused : .nopaused, agent: agent, groups: session.groups.map(\.groupID),
                reason: pause ? reason.trimmingWhitespace() : nil)
        }
        if !pause { await dispatchWaiting() }
        return .success(.queueSwitchSucceeded)
    }
}
