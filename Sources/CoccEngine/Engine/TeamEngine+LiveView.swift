import CoccOperations
public import CoccStorage
public import Foundation
import Logging

extension TeamEngine {
    /// The live view of the agents and groups `scope` covers.
    public func liveView(scope: LiveView.Scope, directory: Directory, calendar: Calendar = .current) async -> LiveView {
        // The one await comes first: once today's figures are read, the view is computed from
        // the actor's state in one step, so it shows one moment.
        let today = await todaysInboundOutcomes(now: clock(), calendar: calendar)
        let now = clock()
        let team = directory.teams[teamID]
        let groupIDs: [Int64]
        let agents: [Agent]
        switch scope {
        case .team:
            groupIDs = directory.groups.values.filter { $0.teamID == teamID }.map(\.id).sorted()
            agents = directory.agents(ofTeam: teamID)
        case .groups(let ids):
            groupIDs = ids.filter { directory.groups[$0]?.teamID == teamID }.sorted()
            let members = Set(groupIDs.flatMap { directory.memberships(ofGroup: $0).map(\.agentID) })
            agents = directory.agents(ofTeam: teamID).filter { members.contains($0.id) }
        case .agent(let id):
            agents = directory.agents[id].map { $0.teamID == teamID ? [$0] : [] } ?? []
            groupIDs = agents.isEmpty ? [] : directory.memberships(ofAgent: id).map(\.groupID)
        }
        let onCalls = callLines()
        let lines = agents.map { agent -> LiveView.AgentLine in
            let session = session(of: agent)
            let memberships = directory.memberships(ofAgent: agent.id).map { m in
                let signIn = session.loggedIn ? session.signIn(of: m.groupID) : nil
                return LiveView.GroupMembership(
                    groupID: m.groupID, isGroupAdmin: m.isGroupAdmin, signedInSince: signIn?.since, workMode: signIn?.workMode,
                    afterCallWork: signIn?.afterCallWork)
            }
            return LiveView.AgentLine(
                number: agent.number, name: agent.name, extensionNumber: session.extensionNumber, status: session.status,
                statusSince: session.statusSince, pauseReason: session.pause?.reason, pauseSince: session.pause?.since,
                afterCallWorkSince: session.afterCallWorkSince, dnd: session.dnd, groups: memberships, call: onCalls[agent.id])
        }
        let groups = groupIDs.compactMap { id -> LiveView.GroupLine? in
            guard let group = directory.groups[id] else { return nil }
            let waiting = calls.values.filter { $0.isInQueue && $0.groupID == id && $0.agent == nil }
            var signedIn = 0
            var available = 0
            for m in directory.memberships(ofGroup: id) {
                guard let agent = directory.agents[m.agentID] else { continue }
                let status = session(of: agent).status(inGroup: id)
                if status != .logout { signedIn += 1 }
                if status == .idle { available += 1 }
            }
            return LiveView.GroupLine(
                id: id, name: group.name, queueNumber: group.queueNumber, waiting: waiting.count,
                longestWaitSince: waiting.map(\.startedAt).min(), available: available, signedIn: signedIn,
                answeredToday: today.counts[id]?.answered ?? 0, abandonedToday: today.counts[id]?.abandoned ?? 0)
        }
        return LiveView(
            teamID: teamID, teamIdentity: team?.identity ?? "", teamName: team?.name ?? "", language: team?.language ?? "", at: now,
            agents: lines, groups: groups)
    }

    /// The call each agent is on: its own call, or the call that consults it.
    private func callLines() -> [Int64: LiveView.CallLine] {
        var out: [Int64: LiveView.CallLine] = [:]
        for call in calls.values where !call.finished {
            let line = LiveView.CallLine(
                sessionid: call.sessionid, direction: call.direction.rawValue,
                otherParty: call.calledAgent?.number ?? call.customerNumber, groupID: call.groupID, didNumber: call.didNumber,
                userdata: call.userdata, startedAt: call.startedAt, answeredAt: call.answeredAt, held: call.held, consulted: false)
            if let agent = call.agent, !call.transferred, !call.agentDown { out[agent.id] = line }
            if let called = call.calledAgent {
                var inner = line
                inner.otherParty = call.agent?.number ?? ""
                inner.consulted = true
                out[called.id] = inner
            }
            for party in call.consults where party.live {
                guard let agent = party.agent else { continue }
                var consulted = line
                consulted.otherParty = party.joined ? call.customerNumber : (call.agent?.number ?? call.customerNumber)
                consulted.consulted = true
                consulted.answeredAt = nil
                out[agent.id] = consulted
            }
        }
        return out
    }

    /// Today's answered and abandoned inbound calls per group, read from the call records once a
    /// day and then counted as calls end (``countFinishedCall(_:)``), so a restart loses nothing.
    ///
    /// The read goes through the journal, so it sees exactly the records queued before it.
    /// Counting in memory starts (an empty entry for the day) before the `await`: a call that
    /// ends while the read runs is counted once, in memory, and the read's rows are added to
    /// it. A view asked for during that read shows the calls counted so far.
    private func todaysInboundOutcomes(now: Date, calendar: Calendar) async -> InboundOutcomes {
        let day = calendar.startOfDay(for: now)
        if let cached = inboundOutcomes, cached.day == day { return cached }
        inboundOutcomes = InboundOutcomes(day: day)
        let (store, teamID) = (self.store, self.teamID)
        let rows: [CallCount]
        do {
            rows = try await journal.read("call counts", timeout: .seconds(5)) {
                try await store.callCounts(teamID: teamID, from: day, to: now.addingTimeInterval(1))
            }
        } catch {
            callLogger.error("could not count today's calls", metadata: ["error": "\(error)"])
            // Read again next time rather than show a day without its earlier calls for good.
            let counted = inboundOutcomes ?? InboundOutcomes(day: day)
            if inboundOutcomes?.day == day { inboundOutcomes = nil }
            return counted
        }
        // The day may have turned during the read; the figures are then yesterday's.
        guard var fresh = inboundOutcomes, fresh.day == day else { return InboundOutcomes(day: day) }
        for row in rows where row.direction == "dialin" {
            if row.disposition == "answered" { fresh.counts[row.groupID, default: (0, 0)].answered += row.count }
            if row.disposition == "abandoned" { fresh.counts[row.groupID, default: (0, 0)].abandoned += row.count }
        }
        inboundOutcomes = fresh
        return fresh
    }

    /// Counts an ended call into today's figures, if they have been read.
    func countFinishedCall(_ record: CallRecord) {
        guard record.direction == "dialin", var cached = inboundOutcomes, record.startedAt >= cached.day else { return }
        if record.disposition == "answered" { cached.counts[record.groupID, default: (0, 0)].answered += 1 }
        if record.disposition == "abandoned" { cached.counts[record.groupID, default: (0, 0)].abandoned += 1 }
        inboundOutcomes = cached
    }
}

/// Today's inbound outcomes per group, as the live view shows them.
struct InboundOutcomes: Sendable {
    var day: Date
    var counts: [Int64: (answered: Int, abandoned: Int)] = [:]
}
