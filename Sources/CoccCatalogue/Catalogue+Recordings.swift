import CoccEngine
import CoccOperations
import Foundation
import Logging

extension Catalogue {
    /// No credentials, as the manual defines it: the session id (32 random hex digits) and the
    /// call's date are what a caller must know. Answers `<webroot_address>getMonitor/<file>`,
    /// signed and expiring (`?expires=..&signature=..`) unless `recordingURLsSigned` is off:
    /// the session id is in every event, so it alone must not open the recording.
    static let getMonitor = Operation(OperationDescriptor(
        name: "getMonitor", soapName: "getMonitor", httpEvents: ["GetMonitor"], cjiName: "getMonitorCJI",
        soapParameters: ["sessionid", "calldate"], httpParameters: ["sessionid", "calldate"], cjiParameters: ["sessionid", "calldate", "callbackFuc"],
        summary: "The recording's URL for a call's sessionid and date (YYYY-MM-DD)."
    )) { request, context in
        let sessionid = request.trimmed("sessionid").lowercased(), calldate = request.trimmed("calldate")
        guard !sessionid.isEmpty, !calldate.isEmpty else { return .failure(.parameterEmpty) }
        let record: CallRecord?
        do { record = try context.center.store.callRecord(sessionid: sessionid) } catch {
            context.logger.error("could not read call records", metadata: ["error": "\(error)"])
            return .failure(.noMatchingData)
        }
        guard let record else { return .failure(.noMatchingData) }
        let c = Calendar.current.dateComponents([.year, .month, .day], from: record.startedAt)
        guard calldate == String(format: "%04d-%02d-%02d", c.year ?? 0, c.month ?? 0, c.day ?? 0) else { return .failure(.noMatchingData) }
        guard !record.recording.isEmpty, let folder = context.center.recordingsDirectory,
              FileManager.default.fileExists(atPath: folder + "/" + record.recording)
        else { return .failure(BackMessage("404")) }
        let url = context.webrootAddress + "getMonitor/" + record.recording
        guard let signer = context.recordingURLs else { return .success(data: url) }
        return .success(data: url + "?" + signer.query(for: record.recording))
    }
}
