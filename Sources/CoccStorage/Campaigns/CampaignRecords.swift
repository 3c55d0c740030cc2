public import Foundation

/// An outbound campaign (`modeltype=Campaign`, `model_id` = ``id``): a customer package worked
/// by one agent group.
public struct Campaign: Sendable, Equatable, Codable {
    public enum Mode: String, Sendable, Codable { case preview, progressive }
    public enum State: String, Sendable, Codable { case stopped, running, paused }

    public var id: Int64
    public var teamID: Int64
    public var name: String
    public var groupID: Int64
    public var packageID: Int64
    public var mode: Mode
    public var state: State

    public init(id: Int64, teamID: Int64, name: String, groupID: Int64, packageID: Int64, mode: Mode, state: State) {
        self.id = id
        self.teamID = teamID
        self.name = name
        self.groupID = groupID
        self.packageID = packageID
        self.mode = mode
        self.state = state
    }
}

/// A customer package. A package on the master table shares the team's customers: a customer
/// already in the team (by `phone1`) is found whatever package holds it, and `changepackage`
/// says whether to move it.
public struct CustomerPackage: Sendable, Equatable, Codable {
    public var id: Int64
    public var teamID: Int64
    public var name: String
    public var master: Bool

    public init(id: Int64, teamID: Int64, name: String, master: Bool) {
        self.id = id
        self.teamID = teamID
        self.name = name
        self.master = master
    }
}

/// A customer's processing status. `success` is the manual's 成功提交 ("successfully
/// submitted"), which `dupdiallist=ignoreSuccess` leaves out of the pre-dial list.
public enum CustomerStatus: String, Sendable, Codable, CaseIterable {
    case new, dialing, answered, busy, noanswer, failed, success
}

public struct Customer: Sendable, Equatable {
    public var id: Int64
    public var teamID: Int64
    public var packageID: Int64?
    /// System fields by table name (`name`, `phone1`, ...) and custom fields by their names.
    public var fields: [String: String]
    public var status: String
    public var agent: String

    public init(id: Int64, teamID: Int64, packageID: Int64? = nil, fields: [String: String], status: String, agent: String) {
        self.id = id
        self.teamID = teamID
        self.packageID = packageID
        self.fields = fields
        self.status = status
        self.agent = agent
    }
}

/// One entry of a campaign's pre-dial list.
public struct PredialEntry: Sendable, Equatable {
    public enum Status: String, Sendable { case pending, dialing, answered, failed, cancelled }
    public var id: Int64
    public var campaignID: Int64
    public var customerID: Int64
    public var phone: String
    public var priority: Int
    public var dialAt: Date
    public var agent: String
    public var status: String
    public var attempts: Int
    public var lastResult: String

    public init(
        id: Int64, campaignID: Int64, customerID: Int64, phone: String, priority: Int, dialAt: Date, agent: String, status: String,
        attempts: Int, lastResult: String
    ) {
        self.id = id
        self.campaignID = campaignID
        self.customerID = customerID
        self.phone = phone
        self.priority = priority
        self.dialAt = dialAt
        self.agent = agent
        self.status = status
        self.attempts = attempts
        self.lastResult = lastResult
    }
}
