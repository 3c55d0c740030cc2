public import Foundation

/// Call detail records, live calls (so that a crash loses none) and the leg id sequence.
///
/// ```swift
/// try await store.saveLiveCall(record)          // while the call lives
/// try await store.saveCallRecord(cdr)           // when it ends
/// try await store.deleteLiveCall(sessionid: cdr.sessionid)
/// ```
public protocol CallStore: Sendable {
    func saveCallRecord(_ record: CallRecord) async throws
    func callRecord(sessionid: String) async throws -> CallRecord?
    /// The team's call records that started in `from ..< to`, newest first, at most `limit`;
    /// only the agent's when `agentNumber` is given.
    func callRecords(teamID: Int64, from: Date, to: Date, agentNumber: String?, limit: Int) async throws -> [CallRecord]
    /// How many of the team's calls that started in `from ..< to` ended how, per group.
    func callCounts(teamID: Int64, from: Date, to: Date) async throws -> [CallCount]
    /// Reserves `count` consecutive leg uniqueids no one has had and answers the first.
    func reserveLegIDs(count: Int64) async throws -> Int64
    /// Live calls, kept so that a crash loses none (``LiveCallRecord``).
    func saveLiveCall(_ record: LiveCallRecord) async throws
    func deleteLiveCall(sessionid: String) async throws
    func liveCalls(teamID: Int64) async throws -> [LiveCallRecord]
    /// The teams with live calls in the store.
    func liveCallTeamIDs() async throws -> [Int64]
}
