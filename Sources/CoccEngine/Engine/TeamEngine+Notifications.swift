import CoccOperations
import CoccStorage
import Logging

extension TeamEngine {
    /// Appends agent notifications (`pushevent=yes`) to the agent's channel, one per group.
    func notify(_ event: AgentNotification.Event, agent: Agent, groups: [Int64], reason: String? = nil) {
        let now = clock()
        let exten = session(of: agent).extensionNumber
        for group in groups {
            let notification = AgentNotification(
                event: event, agentNumber: agent.number, extensionNumber: exten, teamID: teamID,
                groupID: group, time: now, reason: reason)
            eventBus.append(
                to: store, journal: journal, team: teamID, at: now, agents: [agent.id], render: { notification.render(eventid: $0) })
        }
    }
}
