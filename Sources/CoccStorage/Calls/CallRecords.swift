public import Foundation

/// An event as the durable log keeps it: per team, `eventid` increasing by one.
public struct StoredEvent: Sendable, Equatable {
    public var teamID: Int64
    public var eventid: Int64
    public var at: Date
    public var message: String

    public init(teamID: Int64, eventid: Int64, at: Date, message: String) {
        self.teamID = teamID
        self.eventid = eventid
        self.at = at
        self.message = message
    }
}

/// A count of call records by group, direction and disposition (``EngineStore/callCounts(teamID:from:to:)``).
public struct CallCount: Sendable, Equatable {
    public var groupID: Int64
    public var direction: String
    public var disposition: String
    public var count: Int

    public init(groupID: Int64, direction: String, disposition: String, count: Int) {
        self.groupID = groupID
        self.direction = direction
        self.disposition = disposition
        self.count = count
    }
}

/// A call detail record, written when a call ends.
public struct CallRecord: Sendable, Equatable {
    public var sessionid: String
    public var teamID: Int64
    public var direction: String
    public var agentNumber: String
    public var customerNumber: String
    public var didNumber: String
    public var groupID: Int64
    public var startedAt: Date
    public var answeredAt: Date?
    public var endedAt: Date
    /// `answered`, `busy`, `noanswer`, `failed` or `cancelled` (the agent hung up first).
    public var disposition: String
    public var recording: String
    public var userdata: String
    public var modeltype: String
    public var modelID: String

    /// The manual's `calldate` of a call that started at `date`: `YYYY-MM-DD` in `calendar`'s
    /// time zone (getMonitor checks it; the list of the day's calls hands it over).
    public static func callDate(of date: Date, calendar: Calendar = .current) -> String {
        let c = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", c.year ?? 0, c.month ?? 0, c.day ?? 0)
    }

    public init(
        sessionid: String, teamID: Int64, direction: String, agentNumber: String, customerNumber: String, didNumber: String,
        groupID: Int64, startedAt: Date, answeredAt: Date?, endedAt: Date, disposition: String, recording: String,
        userdata: String, modeltype: String, modelID: String
    ) {
        self.sessionid = sessionid
        self.teamID = teamID
        self.direction = direction
        self.agentNumber = agentNumber
        self.customerNumber = customerNumber
        self.didNumber = didNumber
        self.groupID = groupID
        self.startedAt = startedAt
        self.answeredAt = answeredAt
        self.endedAt = endedAt
        self.disposition = disposition
        self.recording = recording
        self.userdata = userdata
        self.modeltype = modeltype
        self.modelID = modelID
    }
}
