public import Foundation

/// One call event as chapter 6 of the manual prints it: `key=value&` pairs, not URL-encoded,
/// fields in the manual's order for each kind of message.
///
/// ```swift
/// CallEventMessage(source: .agent, event: .ringing, ...).render(eventid: 17)
/// // "calleridnum=0138...&didnumber=&activenum=8001&source=AGENT&event=ringing&...&from=dialout&eventid=17&userdata=&"
/// ```
/// The manual's fields come first, exactly as printed for each layout; `eventid` (documented,
/// never shown) and `userdata` follow. ``EventLine`` writes every value: `userdata` is
/// percent-encoded in full (RFC 3986 unreserved characters kept), every other value has `%`, `&`,
/// `=` and control characters escaped, so a page that splits the message on `&` and `=`, as the
/// manual's own sample code does, always gets exactly the layout's keys, each value whole:
/// `decodeURIComponent(event.userdata)` gives back what makeCall was sent.
public struct CallEventMessage: Sendable, Equatable {
    public enum Source: String, Sendable {
        case agent = "AGENT"
        case caller = "CALLER"
        case callee = "CALLEE"
        case conversation = "CONVERSATION"
        case consult = "CONSULT"
    }

    public enum Event: String, Sendable {
        case ringing, answer, hangup, join, incoming, onhold, resume
    }

    public enum Direction: String, Sendable {
        case dialout, dialin
    }

    public var source: Source
    public var event: Event
    public var direction: Direction
    public var calleridnum: String
    public var didnumber: String
    public var activenum: String
    public var uniqueid: Int64
    public var sessionid: String
    public var eventTime: Date
    public var teamID: Int64
    public var modeltype: String
    public var modelID: String
    public var groupID: Int64
    public var channel: String
    public var userdata: String

    public init(
        source: Source, event: Event, direction: Direction, calleridnum: String, didnumber: String, activenum: String,
        uniqueid: Int64, sessionid: String, eventTime: Date, teamID: Int64, modeltype: String, modelID: String,
        groupID: Int64, channel: String, userdata: String
    ) {
        self.source = source
        self.event = event
        self.direction = direction
        self.calleridnum = calleridnum
        self.didnumber = didnumber
        self.activenum = activenum
        self.uniqueid = uniqueid
        self.sessionid = sessionid
        self.eventTime = eventTime
        self.teamID = teamID
        self.modeltype = modeltype
        self.modelID = modelID
        self.groupID = groupID
        self.channel = channel
        self.userdata = userdata
    }

    /// The message, with the event id the log assigned. Layouts follow the manual's examples:
    /// outbound (A.5.2) carries `calltype` and ends every message with `&`; inbound (A.5.3)
    /// puts `from` before `channel` and ends without `&`, except CONVERSATION, which has
    /// `channel, from&` and an empty `didnumber`; the caller's `incoming` is sparse.
    public func render(eventid: Int64, calendar: Calendar = .current) -> String {
        let extras = [("eventid", String(eventid)), ("userdata", userdata)]
        if event == .incoming {
            let fields =
                [
                    ("source", source.rawValue), ("event", event.rawValue), ("modeltype", modeltype), ("uniqueid", String(uniqueid)),
                    ("model_id", modelID), ("from", direction.rawValue), ("sessionid", sessionid), ("channel", channel),
                ] + extras
            return EventLine.render(fields, trailingSeparator: false)
        }
        let inboundConversation = direction == .dialin && source == .conversation
        var fields: [(String, String)] = [
            ("calleridnum", calleridnum), ("didnumber", inboundConversation ? "" : didnumber), ("activenum", activenum),
            ("source", source.rawValue), ("event", event.rawValue), ("uniqueid", String(uniqueid)),
            ("sessionid", sessionid), ("eventTime", Self.eventTime(eventTime, calendar: calendar)), ("AgentTeamId", String(teamID)),
            ("modeltype", modeltype), ("model_id", modelID), ("AgentGroupId", String(groupID)),
        ]
        switch (direction, inboundConversation) {
        case (.dialout, _):
            fields += [("calltype", "dialout"), ("channel", channel), ("from", direction.rawValue)]
        case (.dialin, true):
            fields += [("channel", channel), ("from", direction.rawValue)]
        case (.dialin, false):
            fields += [("from", direction.rawValue), ("channel", channel)]
        }
        fields += extras
        return EventLine.render(fields, trailingSeparator: direction == .dialout || inboundConversation)
    }

    /// `YYYY-MM-DD hh:mm:ss` in the server's time zone, as the manual's examples write it.
    static func eventTime(_ date: Date, calendar: Calendar) -> String {
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        func two(_ n: Int?) -> String {
            let v = n ?? 0
            return v < 10 ? "0\(v)" : "\(v)"
        }
        return "\(c.year ?? 0)-\(two(c.month))-\(two(c.day)) \(two(c.hour)):\(two(c.minute)):\(two(c.second))"
    }
}
