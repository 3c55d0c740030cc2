public import Foundation

/// Call detail records, live calls (so that a crash loses none) and the leg id sequence.
///
/// ```swift
/// try store.saveLiveCall(record)          // while the call lives
/// try store.saveCallRecord(cdr)           // when it ends
/// try store.deleteLiveCall(sessionid: cdr.sessionid)
/// ```
public protocol CallStore: Sendable {
    func saveCallRecord(_ record: CallRecord) throws
    func callRecord(sessionid: String) throws -> CallRecord?
    /// The team's call records that started in `from ..< to`, newest first, at most `limit`;
    /// only the agent's when `agentNumber` is given.
    func callRecords(teamID: Int64, from: Date, to: Date, agentNumber: String?, limit: Int) throws -> [CallRecord]
    /// How many of the team's calls that started in `from ..< to` ended how, per group.
    func callCounts(teamID: Int64, from: Date, to: Date) throws -> [CallCount]
    /// Reserves `count` consecutive leg uniqueids no one has had and answers the first.
    func reserveLegIDs(count: Int64) throws -> Int64
    /// Live calls, kept so that a crash loses none (``LiveCallRecord``).
    func saveLiveCall(_ record: LiveCallRecord) throws
    func deleteLiveCall(sessionid: String) throws
    func liveCalls(teamID: Int64) throws -> [LiveCallRecord]
    /// The teams with live calls in the store.
    func liveCallTeamIDs() throws -> [Int64]
}
