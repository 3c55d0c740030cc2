import Foundation

/// The fields of an ARI WebSocket event that the driver acts on.
///
/// ```swift
/// let event = ARIEvent(json: Data(#"{"type":"Dial","peer":{"id":"coccd-1000"},"dialstatus":"BUSY"}"#.utf8))
/// event?.subject   // "coccd-1000"
/// ```
struct ARIEvent: Sendable, Equatable {
    var type: String
    /// `channel.id`, or `peer.id` for `Dial` (the channel being dialled).
    var channelID: String?
    var channelName: String?
    var channelState: String?
    var callerNumber: String?
    var dialStatus: String?
    var cause: Int?
    var args: [String] = []
    var recordingName: String?
    var recordingState: String?

    init(type: String, channelID: String? = nil) {
        self.type = type
        self.channelID = channelID
    }

    init?(json: Data) {
        guard let object = (try? JSONSerialization.jsonObject(with: json)) as? [String: Any], let type = object["type"] as? String else {
            return nil
        }
        self.type = type
        let channel = (type == "Dial" ? object["peer"] : object["channel"]) as? [String: Any]
        channelID = channel?["id"] as? String
        channelName = channel?["name"] as? String
        channelState = channel?["state"] as? String
        callerNumber = (channel?["caller"] as? [String: Any])?["number"] as? String
        dialStatus = object["dialstatus"] as? String
        cause = object["cause"] as? Int
        args = object["args"] as? [String] ?? []
        let recording = object["recording"] as? [String: Any]
        recordingName = recording?["name"] as? String
        recordingState = recording?["state"] as? String
    }
}
