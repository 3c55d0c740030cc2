import CoccOperations

/// The one writer of Server-Sent Events frames. A frame ends at the first blank line and every
/// CR or LF starts a new field, so a raw line break inside a value would let it set the
/// browser's `Last-Event-ID` or inject a second event. Both fields go through
/// ``EventLine/singleLine(_:)`` here, whatever the stored text holds.
///
/// ```swift
/// SSEFrame.event(id: 17, data: "source=AGENT&event=ringing&")   // "id: 17\ndata: source=AGENT&event=ringing&\n\n"
/// ```
enum SSEFrame {
    static func event(id: Int64, data: String) -> String {
        "id: \(id)\ndata: \(EventLine.singleLine(data))\n\n"
    }

    /// The stream's starting cursor, sent first: a browser's EventSource takes the id as its
    /// `Last-Event-ID`, so that even a page that has seen no event yet resumes from here after a
    /// reconnect, and loses nothing that happened while it was away. A named event, so that
    /// `onmessage` handlers never see it.
    static func cursor(_ id: Int64) -> String {
        "event: cursor\nid: \(id)\ndata: \(id)\n\n"
    }
}
