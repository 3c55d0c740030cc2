public import Foundation

/// An agent notification (`pushevent=yes`): the `event` values the deployed plugin handles,
/// in the chapter-6 `key=value&` style. The manual prints no example of these, so the fields
/// are those of the call events that apply to an agent, plus `agent` and, for a pause, `reason`:
/// `source=AGENT&event=paused&agent=8001&activenum=8001&AgentTeamId=1&AgentGroupId=1&eventTime=...&reason=lunch&eventid=9&`
public struct AgentNotification: Sendable, Equatable {
    public enum Event: String, Sendable {
        case login, logoff, paused, nopaused, acwring, acwanswer, acwoff, workwayall, workwaydialin, workwaydialout
        /// monitorCtrl started or stopped a recording segment (vendor extra; the deployed plugin
        /// ignores events it does not know).
        case monitorstart, monitorstop
    }

    public var event: Event
    public var agentNumber: String
    public var extensionNumber: String
    public var teamID: Int64
    public var groupID: Int64
    public var time: Date
    public var reason: String?

    public init(
        event: Event, agentNumber: String, extensionNumber: String, teamID: Int64, groupID: Int64, time: Date, reason: String? = nil
    ) {
        self.event = event
        self.agentNumber = agentNumber
        self.extensionNumber = extensionNumber
        self.teamID = teamID
        self.groupID = groupID
        self.time = time
        self.reason = reason
    }

    public func render(eventid: Int64, calendar: Calendar = .current) -> String {
        var fields: [(String, String)] = [
            ("source", "AGENT"), ("event", event.rawValue), ("agent", agentNumber), ("activenum", extensionNumber),
            ("AgentTeamId", String(teamID)), ("AgentGroupId", String(groupID)),
            ("eventTime", CallEventMessage.eventTime(time, calendar: calendar)),
        ]
        if let reason { fields.append(("reason", reason)) }
        fields.append(("eventid", String(eventid)))
        return EventLine.render(fields, opaque: ["reason"], trailingSeparator: true)
    }
}
