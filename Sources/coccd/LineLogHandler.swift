import CoccServer
import Foundation
import Logging
import Synchronization

/// One line per log event on standard output, written by ``LogLine``.
///
/// Unlike swift-log's `StreamLogHandler`, which formats all metadata again each time a key is set,
/// this handler formats only when a line is written. A request sets several keys (request id,
/// operation, interface, team, user) and most requests write no line at all, so formatting
/// eagerly was the largest single cost in a profile of the SOAP path.
struct LineLogHandler: LogHandler {
    private static let output = Mutex(())
    let label: String
    var logLevel: Logger.Level
    var metadata: Logger.Metadata = [:]
    var metadataProvider: Logger.MetadataProvider?

    init(label: String, level: Logger.Level, metadataProvider: Logger.MetadataProvider? = nil) {
        self.label = label
        self.logLevel = level
        self.metadataProvider = metadataProvider
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var all = metadata
        if let provided = metadataProvider?.get() { all.merge(provided) { _, new in new } }
        if let explicit = event.metadata { all.merge(explicit) { _, new in new } }
        // LogLine quotes, escapes and cuts every value: they come from clients.
        let line =
            LogLine.render(
                time: Date().formatted(.iso8601), level: event.level, label: label, metadata: all, source: event.source,
                message: "\(event.message)") + "\n"
        Self.output.withLock { _ in
            FileHandle.standardOutput.write(Data(line.utf8))
        }
    }
}
