public import CoccOperations
public import CoccStorage
import CoccSwitch
public import Foundation
public import Logging

/// monitorCtrl's recording segments of one live call: how many were started (they are numbered
/// from 1 in the call), and the one each agent has running.
struct RecordingSegments: Sendable {
    var started = 0
    /// By agent id: the running segment's file name and the leg it records.
    var running: [Int64: (file: String, leg: Int64)] = [:]
}

extension TeamEngine {
    /// The folder of a call's recordings below the recordings directory: `<team>/<YYYYMMDD>`
    /// of the day the call started, where the whole-call recording goes too.
    public static func recordingFolder(team: Int64, startedAt: Date) -> String {
        let date = Calendar.current.dateComponents([.year, .month, .day], from: startedAt)
        return "\(team)/" + String(format: "%04d%02d%02d", date.year ?? 0, date.month ?? 0, date.day ?? 0)
    }

    /// The file name of a call's `number`-th segment: `<sessionid>-<number>.wav`, beside the
    /// whole-call `<sessionid>.wav`. getMonitor's `filename` accepts only names of this form.
    public static func segmentFileName(sessionid: String, number: Int) -> String { "\(sessionid)-\(number).wav" }

    /// monitorCtrl `action=start`: records the agent's leg of its current call into a file of its
    /// own from now on, beside the whole-call recording. Answers the segment's file name.
    public func startRecordingSegment(agent: Agent, pushEvent: Bool, logger: Logger) async -> Reply {
        // BackMsg_92 (无相关通话, "no related call"): no call, or nobody on it the agent talks with yet.
        guard let call = liveCall(of: agent.id), let leg = conversationLeg(of: agent.id, in: call) else {
            return .failure(BackMessage("92"))
        }
        guard let folder = recordingsDirectory else {
            logger.error("recording segment refused: this server records no calls")
            return .failure(BackMessage("100"))
        }
        recordingSegments = recordingSegments.filter { calls[$0.key] != nil }  // calls that ended since
        var segments = recordingSegments[call.sessionid] ?? RecordingSegments()
        // A second start while one runs answers that one: a repeated click must not cut it in two.
        if let running = segments.running[agent.id] { return .success(data: running.file) }
        segments.started += 1
        let file = Self.segmentFileName(sessionid: call.sessionid, number: segments.started)
        segments.running[agent.id] = (file, leg.uniqueid)
        // Taken before the switch is asked, so a request that runs meanwhile sees it.
        recordingSegments[call.sessionid] = segments
        let path = folder + "/" + Self.recordingFolder(team: teamID, startedAt: call.startedAt) + "/" + file
        do { try await callSwitch.startRecording(uniqueid: leg.uniqueid, path: path) } catch {
            recordingSegments[call.sessionid]?.running[agent.id] = nil
            logger.error("could not start a recording segment", metadata: ["sessionid": "\(call.sessionid)", "error": "\(error)"])
            // BackMsg_100 (内核连接失败, "connection to the core failed"): the switch refused.
            return .failure(BackMessage("100"))
        }
        logger.info(
            "recording segment started",
            metadata: ["sessionid": "\(call.sessionid)", "agent": "\(agent.number)", "file": "\(file)"])
        if pushEvent { notify(.monitorstart, agent: agent, groups: [call.groupID]) }
        return .success(data: file)
    }

    /// monitorCtrl `action=stop`: completes the agent's running segment. Answers its file name.
    public func stopRecordingSegment(agent: Agent, pushEvent: Bool, logger: Logger) async -> Reply {
        guard let call = liveCall(of: agent.id) else { return .failure(BackMessage("92")) }
        // BackMsg_44 (获取失败,无匹配的数据, "no matching data"): a call, but no segment of this agent runs.
        guard let running = recordingSegments[call.sessionid]?.running[agent.id] else { return .failure(BackMessage("44")) }
        recordingSegments[call.sessionid]?.running[agent.id] = nil
        guard let folder = recordingsDirectory else { return .failure(BackMessage("100")) }
        let path = folder + "/" + Self.recordingFolder(team: teamID, startedAt: call.startedAt) + "/" + running.file
        do { try await callSwitch.stopRecording(uniqueid: running.leg, path: path) } catch {
            // The leg went down meanwhile: its hangup completed the file already.
            logger.notice("recording segment ended with its leg", metadata: ["sessionid": "\(call.sessionid)", "error": "\(error)"])
        }
        logger.info(
            "recording segment stopped",
            metadata: ["sessionid": "\(call.sessionid)", "agent": "\(agent.number)", "file": "\(running.file)"])
        if pushEvent { notify(.monitorstop, agent: agent, groups: [call.groupID]) }
        return .success(data: running.file)
    }

    /// When a live call of this team started, for getMonitor to find the segments it already has.
    public func liveCallStart(sessionid: String) -> Date? { calls[sessionid]?.startedAt }

    /// The agent's own leg of the call, when the agent talks with someone on it: answered and
    /// up, with at least one other party answered and up.
    private func conversationLeg(of agentID: Int64, in call: Call) -> LegInfo? {
        let agentSide = (leg: call.agentLeg, up: call.agentAnswered && !call.agentDown)
        let customerSide = (leg: call.customerLeg, up: call.customerAnswered && !call.customerDown)
        let parties = call.consults.map { (leg: Optional($0.leg), up: $0.answered && !$0.down, agent: $0.agent) }
        let mine: (leg: LegInfo?, up: Bool)
        let others: [Bool]
        if call.agent?.id == agentID && !call.transferred {
            (mine, others) = (agentSide, [customerSide.up] + parties.map(\.up))
        } else if call.calledAgent?.id == agentID {
            (mine, others) = (customerSide, [agentSide.up] + parties.map(\.up))
        } else if let index = parties.lastIndex(where: { $0.agent?.id == agentID && $0.up }) {
            let rest = parties.indices.filter { $0 != index }.map { parties[$0].up }
            (mine, others) = ((parties[index].leg, parties[index].up), [agentSide.up, customerSide.up] + rest)
        } else {
            return nil
        }
        guard let leg = mine.leg, mine.up, others.contains(true) else { return nil }
        return leg
    }
}
