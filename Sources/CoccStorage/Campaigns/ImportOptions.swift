/// The duplicate and pre-dial parameters of importWS, as the manual defines them.
public struct ImportOptions: Sendable, Equatable, Codable {
    public enum DupWay: String, Sendable, Codable { case update, skip }
    public enum DupDialList: String, Sendable, Codable { case ignoreDuplicate, all, ignoreSuccess }
    public enum ChangePackage: String, Sendable, Codable { case skip, unassignToCurrent, reassignToCurrent }

    /// Rows of the file not imported, the header included (file imports only).
    public var delrow = 1
    /// The field whose value goes into the pre-dial list; empty: not into the list.
    public var phoneField = ""
    public var priorityField = ""
    public var dialtimeField = ""
    /// For a customer already in the package: clear its owning agent.
    public var emptyAgent = false
    /// For a customer already in the package: set its status back to `new`.
    public var resetStatus = false
    public var dupway = DupWay.skip
    public var dupDialList = DupDialList.ignoreDuplicate
    public var changePackage = ChangePackage.skip

    public init() {}
}

/// What importing one record did: the manual's per-record codes (BackMsg_77 to 84).
public struct RecordOutcome: Sendable, Equatable {
    public var inserted = false
    public var updated = false
    public var statusReset = false
    public var agentCleared = false
    public var predialed = false
    public var duplicate = false
    /// Already pending in the campaign's pre-dial list with the same number (BackMsg_82).
    public var duplicatePhone = false
    /// Held by another package and `changepackage` kept it there.
    public var skipped = false

    public init() {}

    /// The one code a `source=data` import answers: the most telling thing that happened.
    public var code: String {
        if inserted { return predialed ? "83" : "84" }
        if predialed { return "80" }
        if updated { return "78" }
        if statusReset { return "77" }
        if agentCleared { return "79" }
        if duplicatePhone { return "82" }
        return "81"
    }
}
