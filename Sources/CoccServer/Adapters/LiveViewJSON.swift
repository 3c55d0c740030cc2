import CoccEngine
import CoccStorage
import Foundation

/// The JSON the pages read: ``LiveView`` and call records, with times as Unix seconds and the
/// server's own time in `at`, so that a page counts "time in state" on the server's clock
/// whatever its own clock says. Field names are coccd's (no manual defines this view).
///
/// ```json
/// {"team":"demo","language":"en","at":1796198400.5,"agents":[{"number":"8001","status":"pause","reason":"lunch",...}],
///  "groups":[{"id":1,"queue":"6001","waiting":0,"available":2,...}]}
/// ```
enum LiveViewJSON {
    struct View: Encodable {
        var team: String
        var teamName: String
        var language: String
        var at: Double
        var me: String?
        var agents: [AgentJSON]
        var groups: [GroupJSON]
    }

    struct AgentJSON: Encodable {
        var number: String
        var name: String
        var exten: String
        var status: String
        var since: Double
        var reason: String?
        var pauseSince: Double?
        var acwSince: Double?
        var dnd: Bool
        var groups: [MembershipJSON]
        var call: CallJSON?
    }

    struct MembershipJSON: Encodable {
        var id: Int64
        var admin: Bool
        var signedIn: Bool
        var workMode: String?
        var acwMode: Int?
    }

    struct CallJSON: Encodable {
        var sessionid: String
        var direction: String
        var number: String
        var group: Int64
        var did: String
        var userdata: String
        var started: Double
        var answered: Double?
        var held: Bool
        var consulted: Bool
    }

    struct GroupJSON: Encodable {
        var id: Int64
        var name: String
        var queue: String
        var waiting: Int
        var longestWaitSince: Double?
        var available: Int
        var signedIn: Int
        var answeredToday: Int
        var abandonedToday: Int
    }

    struct Record: Encodable {
        var sessionid: String
        var calldate: String
        var direction: String
        var agent: String
        var number: String
        var did: String
        var group: Int64
        var started: Double
        var answered: Double?
        var ended: Double
        var disposition: String
        var recorded: Bool
        var userdata: String
    }

    static func encode(_ view: LiveView, me: String?) -> String {
        let body = View(
            team: view.teamIdentity, teamName: view.teamName, language: view.language, at: view.at.timeIntervalSince1970, me: me,
            agents: view.agents.map { a in
                AgentJSON(
                    number: a.number, name: a.name, exten: a.extensionNumber, status: a.status.rawValue,
                    since: a.statusSince.timeIntervalSince1970, reason: a.pauseReason, pauseSince: a.pauseSince?.timeIntervalSince1970,
                    acwSince: a.afterCallWorkSince?.timeIntervalSince1970, dnd: a.dnd,
                    groups: a.groups.map {
                        MembershipJSON(
                            id: $0.groupID, admin: $0.isGroupAdmin, signedIn: $0.signedInSince != nil, workMode: $0.workMode?.rawValue,
                            acwMode: $0.afterCallWork?.rawValue)
                    },
                    call: a.call.map { c in
                        CallJSON(
                            sessionid: c.sessionid, direction: c.direction, number: c.otherParty, group: c.groupID, did: c.didNumber,
                            userdata: c.userdata, started: c.startedAt.timeIntervalSince1970, answered: c.answeredAt?.timeIntervalSince1970,
                            held: c.held, consulted: c.consulted)
                    })
            },
            groups: view.groups.map { g in
                GroupJSON(
                    id: g.id, name: g.name, queue: g.queueNumber, waiting: g.waiting,
                    longestWaitSince: g.longestWaitSince?.timeIntervalSince1970,
                    available: g.available, signedIn: g.signedIn, answeredToday: g.answeredToday, abandonedToday: g.abandonedToday)
            })
        return string(body)
    }

    static func encode(_ records: [CallRecord], at: Date, calendar: Calendar = .current) -> String {
        struct List: Encodable {
            var at: Double
            var calls: [Record]
        }
        return string(
            List(
                at: at.timeIntervalSince1970,
                calls: records.map { r in
                    Record(
                        sessionid: r.sessionid, calldate: CallRecord.callDate(of: r.startedAt, calendar: calendar),
                        direction: r.direction, agent: r.agentNumber, number: r.customerNumber, did: r.didNumber, group: r.groupID,
                        started: r.startedAt.timeIntervalSince1970, answered: r.answeredAt?.timeIntervalSince1970,
                        ended: r.endedAt.timeIntervalSince1970, disposition: r.disposition, recorded: !r.recording.isEmpty,
                        userdata: r.userdata)
                }))
    }

    private static func string(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // The encoder's output is plain JSON; `<` is escaped so that the text is also safe where
        // a page might put it into a script element.
        let text = (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        return text.replacingOccurrences(of: "<", with: "\\u003c")
    }
}
