public import CoccOperations
public import CoccStorage
public import Foundation
public import Logging

/// A status filter of agentgroupStatus and teamStatus: `all`, or words joined by commas.
public struct StatusFilter: Sendable {
    enum Word: String, CaseIterable { case all, idle, busy, ring, pause, acw, login, logout }
    let words: Set<Word>

    /// Nil for an unknown word; words are matched case-insensitively.
    public init?(_ text: String) {
        var words = Set<Word>()
        for raw in text.split(separator: ",") {
            let word = String(raw).trimmingWhitespace().lowercased()
            if word.isEmpty { continue }
            guard let w = Word(rawValue: word) else { return nil }
            words.insert(w)
        }
        guard !words.isEmpty else { return nil }
        self.words = words
    }

    func matches(_ status: AgentStatus) -> Bool {
        if words.contains(.all) { return true }
        if words.contains(.login) && status != .logout { return true }
        switch status {
        case .idle: return words.contains(.idle)
        case .busy: return words.contains(.busy)
        case .ring: return words.contains(.ring)
        case .pause: return words.contains(.pause)
        case .acw: return words.contains(.acw)
        case .logout: return words.contains(.logout)
        }
    }
}

extension TeamEngine {
    /// agentStatus: `groupid-status,` for each of the agent's groups, each ending with a comma.
    public func agentStatus(agent: Agent, directory: Directory) -> Reply {
        publishBoard()
        return Self.agentStatusReply(session: sessions[agent.id], agent: agent, directory: directory)
    }

    /// agentStatus's answer for an agent's session (nil: never logged in, so logged out everywhere).
    nonisolated static func agentStatusReply(session: AgentSession?, agent: Agent, directory: Directory) -> Reply {
        let memberships = directory.memberships(ofAgent: agent.id)
        guard !memberships.isEmpty else { return .failure(.noMatchingData) }
        var status = ""
        for m in memberships {
            status += "\(m.groupID)-\((session?.status(inGroup: m.groupID) ?? .logout).rawValue),"
        }
        return .success(.retrieved, extra: .init(cjiKey: "status", value: status))
    }

    /// agentgroupStatus: `number:status` of the group's agents that match the filter.
    public func groupStatus(group: AgentGroup, filter: StatusFilter, directory: Directory) -> Reply {
        publishBoard()
        return Self.groupStatusReply(group: group, filter: filter, directory: directory) { sessions[$0.id] }
    }

    /// agentgroupStatus's answer, with each agent's session from `session` (nil: logged out).
    nonisolated static func groupStatusReply(
        group: AgentGroup, filter: StatusFilter, directory: Directory, session: (Agent) -> AgentSession?
    ) -> Reply {
        let members = directory.memberships(ofGroup: group.id)
        guard !members.isEmpty else { return .failure(.noAgents) }
        let listed = members.compactMap { m -> String? in
            guard let agent = directory.agents[m.agentID] else { return nil }
            let status = session(agent)?.status(inGroup: group.id) ?? .logout
            return filter.matches(status) ? "\(agent.number):\(status.rawValue)" : nil
        }
        guard !listed.isEmpty else { return .failure(.noAgentsInStatus) }
        return .success(data: listed.joined(separator: ","))
    }

    /// teamStatus: `number:status` of the team's agents that match the filter.
    public func teamStatus(filter: StatusFilter, directory: Directory) -> Reply {
        let agents = directory.agents(ofTeam: teamID)
        guard !agents.isEmpty else { return .failure(.noAgents) }
        let listed = agents.compactMap { agent -> String? in
            let status = session(of: agent).status
            return filter.matches(status) ? "\(agent.number):\(status.rawValue)" : nil
        }
        guard !listed.isEmpty else { return .failure(.noAgentsInStatus) }
        return .success(data: listed.joined(separator: ","))
    }

    /// groupStatusNum: counts of the group's signed-in agents, `1|n` for one status or
    /// `1|total|idle|ringing|pause|busy|acw` for all.
    public func groupStatusCounts(group: AgentGroup, type: String, directory: Directory) -> Reply {
        var counts: [AgentStatus: Int] = [:]
        var total = 0
        for m in directory.memberships(ofGroup: group.id) {
            guard let agent = directory.agents[m.agentID] else { continue }
            let status = session(of: agent).status(inGroup: group.id)
            guard status != .logout else { continue }
            total += 1
            counts[status, default: 0] += 1
        }
        // Manual 3.24: idle, ringing, pause, busy and acw count one status; "all, any other value,
        // or omitted" counts them all. `ring` (agentgroupStatus's word) is such another value.
        let single: AgentStatus? =
            switch type.trimmingWhitespace().lowercased() {
            case "idle": .idle
            case "ringing": .ring
            case "pause": .pause
            case "busy": .busy
            case "acw": .acw
            default: nil
            }
        let data: String
        if let single {
            data = "\(counts[single] ?? 0)"
        } else {
            data = [total, counts[.idle] ?? 0, counts[.ring] ?? 0, counts[.pause] ?? 0, counts[.busy] ?? 0, counts[.acw] ?? 0]
                .map(String.init).joined(separator: "|")
        }
        return Reply(code: 1, message: .data(data), format: .pipe)
    }

    /// agentRealtime: the manual's 18 fields for today, from the persisted pause history.
    public func agentRealtime(agent: Agent, directory: Directory, calendar: Calendar = .current, logger: Logger) async -> Reply {
        // The session and the moment are taken before the await, and the history is read in
        // the journal's order: the figures are those of this moment, whatever interleaves.
        let session = session(of: agent)
        let now = clock()
        let startOfDay = calendar.startOfDay(for: now)
        let (store, agentID) = (self.store, agent.id)
        let records: [PauseRecord]
        do {
            records = try await journal.read("pause history", timeout: .seconds(5)) {
                try await store.pauses(agentID: agentID, overlapping: startOfDay)
            }
        } catch {
            logger.error("could not read pause history", metadata: ["error": "\(error)"])
            return .failure(.noMatchingData)
        }
        var counts: [PauseReason: Int] = [:]
        var seconds: [PauseReason: Int] = [:]
        for record in records {
            let bucket = PauseReason(bucketing: record.reason)
            if record.startedAt >= startOfDay { counts[bucket, default: 0] += 1 }
            let start = max(record.startedAt, startOfDay)
            let end = min(record.endedAt ?? now, now)
            seconds[bucket, default: 0] += max(0, Int(end.timeIntervalSince(start)))
        }
        var name = agent.name
        if name.isEmpty, let accountID = agent.accountID { name = directory.accounts[accountID]?.surname ?? "" }
        var fields = [name, agent.number, session.status.rawValue, String(max(0, Int(now.timeIntervalSince(session.statusSince))))]
        fields.append(String(PauseReason.allCases.reduce(0) { $0 + (counts[$1] ?? 0) }))
        fields += PauseReason.allCases.map { String(counts[$0] ?? 0) }
        fields.append(String(PauseReason.allCases.reduce(0) { $0 + (seconds[$1] ?? 0) }))
        fields += PauseReason.allCases.map { String(seconds[$0] ?? 0) }
        return .success(data: fields.joined(separator: "|"))
    }
}
