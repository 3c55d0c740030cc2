import CoccEngine
import CoccOperations
import CoccStorage
import Foundation
import Logging

extension Catalogue {
    /// No credentials, as the manual defines it: the session id (32 random hex digits) and the
    /// call's date are what a caller must know. Answers `<webroot_address>getMonitor/<file>`,
    /// signed and expiring (`?expires=..&signature=..`) unless `recordingURLsSigned` is off:
    /// the session id is in every event, so it alone must not open the recording.
    ///
    /// `filename` (from the vendor's getMonitorCJI) names one of the call's files instead of the
    /// whole-call recording: a segment monitorCtrl answered (`<sessionid>-<n>.wav`), found as
    /// soon as it is stopped, also while the call goes on. `mp3` is accepted and ignored: the
    /// recordings are WAV files.
    static let getMonitor = Operation(
        OperationDescriptor(
            name: "getMonitor", soapName: "getMonitor", httpEvents: ["GetMonitor"], cjiName: "getMonitorCJI",
            soapParameters: ["sessionid", "calldate", "filename"], httpParameters: ["sessionid", "calldate", "filename"],
            cjiParameters: ["sessionid", "calldate", "callbackFuc", "mp3", "filename"],
            summary: "The recording's URL for a call's sessionid and date (YYYY-MM-DD); filename: one of its segments (monitorCtrl)."
        )
    ) { request, context in
        let sessionid = request.trimmed("sessionid").lowercased()
        let calldate = request.trimmed("calldate")
        let filename = request.trimmed("filename").lowercased()
        guard !sessionid.isEmpty, !calldate.isEmpty else { return .failure(.parameterEmpty) }
        // Only names of this call's files: nothing else in the recordings folder can be reached.
        guard filename.isEmpty || isFileName(filename, ofCall: sessionid) else { return .failure(.parameterError) }
        // The live call first: a call that ends in between has queued its record by then.
        let record: CallRecord?
        let owner: (teamID: Int64, startedAt: Date)
        if !filename.isEmpty, let live = await context.center.liveCall(sessionid: sessionid) {
            (record, owner) = (nil, live)
        } else {
            do { record = try await context.center.callRecord(sessionid: sessionid) } catch {
                context.logger.error("could not read call records", metadata: ["error": "\(error)"])
                return .failure(.noMatchingData)
            }
            guard let record else { return .failure(.noMatchingData) }
            owner = (record.teamID, record.startedAt)
        }
        let relative =
            filename.isEmpty
            ? record?.recording ?? "" : TeamEngine.recordingFolder(team: owner.teamID, startedAt: owner.startedAt) + "/" + filename
        guard calldate == CallRecord.callDate(of: owner.startedAt) else { return .failure(.noMatchingData) }
        guard !relative.isEmpty, let folder = context.center.recordingsDirectory,
            FileManager.default.fileExists(atPath: folder + "/" + relative)
        else { return .failure(BackMessage("404")) }
        let url = context.webrootAddress + "getMonitor/" + relative
        guard let signer = context.recordingURLs else { return .success(data: url) }
        return .success(data: url + "?" + signer.query(for: relative))
    }

    /// `<sessionid>.wav` or `<sessionid>-<n>.wav` for this session id.
    static func isFileName(_ name: String, ofCall sessionid: String) -> Bool {
        guard name.hasPrefix(sessionid), name.hasSuffix(".wav") else { return false }
        let middle = name.dropFirst(sessionid.count).dropLast(4)
        if middle.isEmpty { return true }
        guard middle.first == "-" else { return false }
        let digits = middle.dropFirst()
        return !digits.isEmpty && digits.count <= 6 && digits.allSatisfy { $0 >= "0" && $0 <= "9" }
    }

    static let monitorCtrlParameters = ["action", "usertype", "user", "orgidentity", "pwdtype", "password", "pushevent"]

    /// Vendor extra (the vendor's astcc_CJI.js, not the manual): `action=start` records the
    /// agent's current conversation into a file of its own from now on, `stop` completes it.
    /// Both answer the segment's file name, for getMonitor's `filename`.
    static let monitorCtrl = Operation(
        OperationDescriptor(
            name: "monitorCtrl", soapName: "monitorCtrl", httpEvents: ["MonitorCtrl"], cjiName: "monitorCtrlCJI",
            soapParameters: monitorCtrlParameters, httpParameters: monitorCtrlParameters,
            cjiParameters: monitorCtrlParameters + ["callbackFuc"],
            summary: "Vendor extra: start or stop (action) a separate recording segment of the agent's current call; answers its file name."
        )
    ) { request, context in
        await context.authorizeAgent(request.credentials) { agent, auth in
            switch request.trimmed("action").lowercased() {
            case "start": return await auth.engine.startRecordingSegment(agent: agent, pushEvent: request.pushEvent, logger: auth.logger)
            case "stop": return await auth.engine.stopRecordingSegment(agent: agent, pushEvent: request.pushEvent, logger: auth.logger)
            case "": return .failure(.parameterEmpty)
            // BackMsg_28 (参数错误, "parameter error"): an action other than start or stop.
            default: return .failure(.parameterError)
            }
        }
    }
}
