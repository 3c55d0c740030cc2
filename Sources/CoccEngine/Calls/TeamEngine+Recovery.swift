import CoccOperations
import CoccStorage
import CoccSwitch
import Foundation
import Logging

/// Calls survive a crash of coccd as records in the store. A graceful stop hangs every call up
/// first; after a crash, each call still recorded is ended at the next start.
///
/// Policy (issue 11): an interrupted call is **ended**, not adopted. Its legs still up on the
/// switch are hung up (the simulator lost them with the process; the Asterisk driver also hangs
/// up, on its first connection, every channel left in its application by the previous run), each
/// leg that was not down gets its hangup event, the call its CONVERSATION hangup, and its call
/// record says `interrupted`, since how it went on is unknown. Agents were on no call at start-up
/// already (their sessions' call state is cleared), so they are free at once.
extension TeamEngine {
    /// Keeps the call's current state in the store (a new leg, an answer, a hangup).
    func persistLive(_ sessionid: String) {
        guard let call = calls[sessionid], !call.finished else { return }
        let (store, record) = (self.store, call.liveRecord(teamID: teamID))
        journal.enqueue("live call \(sessionid)") { try await store.saveLiveCall(record) }
    }

    func forgetLive(_ sessionid: String) {
        let store = self.store
        journal.enqueue("live call end \(sessionid)") { try await store.deleteLiveCall(sessionid: sessionid) }
    }

    /// Queues the call's record; its live record goes after it, so a crash in between leaves
    /// the call recoverable rather than lost.
    func saveRecord(_ record: CallRecord) {
        let store = self.store
        journal.enqueue("call record \(record.sessionid)") { try await store.saveCallRecord(record) }
        forgetLive(record.sessionid)
    }

    /// Ends the calls the previous run left in the store; answers how many.
    @discardableResult
    public func recoverInterruptedCalls() async -> Int {
        let records: [LiveCallRecord]
        // Before any call of this run exists (start-up), so the await splits no change.
        do { records = try await store.liveCalls(teamID: teamID) } catch {
            callLogger.error("could not read interrupted calls", metadata: ["error": "\(error)"])
            return 0
        }
        let directory = directoryProvider()
        for record in records where calls[record.sessionid] == nil {
            let agent = record.agentID.flatMap { directory.agents[$0] }
            let direction = CallEventMessage.Direction(rawValue: record.direction) ?? .dialout
            let call = Call(
                sessionid: record.sessionid, direction: direction, agent: agent, agentExtension: record.agentExtension,
                groupID: record.groupID,
                customerNumber: record.customerNumber, didNumber: record.didNumber, customerDestination: .external(record.customerNumber),
                calledAgent: nil, modeltype: record.modeltype, modelID: record.modelID, userdata: record.userdata, callerID: "", trunk: "",
                startedAt: record.startedAt)
            for leg in record.legs where !leg.down {
                // Best effort: a leg the switch still has is hung up; one it lost is gone already.
                try? await callSwitch.hangup(uniqueid: leg.uniqueid)
                let source = CallEventMessage.Source(rawValue: leg.source) ?? .consult
                emit(call, source, .hangup, leg: LegInfo(uniqueid: leg.uniqueid, channel: leg.channel, number: ""))
            }
            emit(call, .conversation, .hangup, leg: nil, channel: "")
            let callRecord = CallRecord(
                sessionid: record.sessionid, teamID: teamID, direction: record.direction, agentNumber: agent?.number ?? "",
                customerNumber: record.customerNumber, didNumber: record.didNumber, groupID: record.groupID, startedAt: record.startedAt,
                answeredAt: record.answeredAt, endedAt: clock(), disposition: "interrupted", recording: "", userdata: record.userdata,
                modeltype: record.modeltype, modelID: record.modelID)
            saveRecord(callRecord)
            callLogger.notice(
                "interrupted call ended at start-up", metadata: ["sessionid": "\(record.sessionid)", "legs": "\(record.legs.count)"])
        }
        return records.count
    }
}
