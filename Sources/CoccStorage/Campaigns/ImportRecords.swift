public import Foundation

/// A file import (`source=http` or `ftp`): persisted, so a scheduled one survives restarts and
/// its outcome can be read later (`coccd import status`, `GET /coccinterface/importtask`).
public struct ImportTask: Sendable, Equatable, Codable {
    /// `scheduled`: waiting for its `exetime`; `queued`: due, waiting for the server's one import
    /// worker; `running`; then `done` or `failed`.
    public enum State: String, Sendable, Codable { case scheduled, running, done, failed, queued }

    public var id: Int64
    public var teamID: Int64
    public var campaignID: Int64
    public var source: String
    /// Without credentials (they are kept apart and never shown).
    public var url: String
    public var runAt: Date
    public var state: State
    public var rowsRead = 0
    public var imported = 0
    public var updated = 0
    public var duplicates = 0
    public var rejected = 0
    public var predialed = 0
    /// The first problems, with row numbers and reasons.
    public var problems: [RowProblem] = []
    /// Why the whole task failed, as `BackMsg_NN: reason`.
    public var error = ""
    public var createdAt: Date
    public var finishedAt: Date?
    /// The last file row whose outcome (and the counts above) is saved, batch by batch: a task
    /// a crash interrupted continues after it, with these counts.
    public var progressRow = 0

    public init(
        id: Int64, teamID: Int64, campaignID: Int64, source: String, url: String, runAt: Date, state: State, problems: [RowProblem] = [],
        createdAt: Date, finishedAt: Date? = nil
    ) {
        self.id = id
        self.teamID = teamID
        self.campaignID = campaignID
        self.source = source
        self.url = url
        self.runAt = runAt
        self.state = state
        self.problems = problems
        self.createdAt = createdAt
        self.finishedAt = finishedAt
    }
}

/// An import task's source and options, which only the import worker reads: the URL as given
/// (without userinfo) and the credentials kept apart from it.
public struct TaskSecrets: Sendable {
    public var url: String
    public var user: String
    public var password: String
    public var options: ImportOptions

    public init(url: String, user: String, password: String, options: ImportOptions) {
        self.url = url
        self.user = user
        self.password = password
        self.options = options
    }
}

/// A record that could not be imported, and why (reported, never silently dropped).
public struct RowProblem: Error, Sendable, Equatable, Codable {
    /// 1-based row of the file (0 for `source=data`).
    public var row: Int
    /// The manual's code for it (BackMsg_76 missing field, 75 bad value, ...).
    public var code: String
    public var reason: String

    public init(row: Int, code: String, reason: String) {
        self.row = row
        self.code = code
        self.reason = reason
    }
}

/// A record ready to import: column name → value, already mapped from labels.
public struct ImportRecord: Sendable {
    public var row: Int
    public var fields: [String: String]
    /// The pre-dial entry's priority and dial time when given as such (dialerList), in place
    /// of `priority_field` and `dialtime_field`.
    public var priority: Int?
    public var dialAt: Date?

    public init(row: Int, fields: [String: String], priority: Int? = nil, dialAt: Date? = nil) {
        self.row = row
        self.fields = fields
        self.priority = priority
        self.dialAt = dialAt
    }
}

extension ImportTask {
    /// Adds one record's outcome to the counts (the first 200 problems are kept).
    public mutating func count(_ result: Result<RecordOutcome, RowProblem>) {
        switch result {
        case .success(let outcome):
            if outcome.inserted { imported += 1 }
            if outcome.duplicate || outcome.duplicatePhone { duplicates += 1 }
            if outcome.updated || outcome.statusReset || outcome.agentCleared { updated += 1 }
            if outcome.predialed { predialed += 1 }
        case .failure(let problem):
            rejected += 1
            if problems.count < 200 { problems.append(problem) }
        }
    }
}
